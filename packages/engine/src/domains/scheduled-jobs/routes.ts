// Scheduled-job routes (routes.tsv group `scheduled-jobs`, M1 rows, automation.md §3). HTTP only:
// schemas in, service call, response out.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CancelOccurrenceResultSchema,
  CreateScheduledJobRequestSchema,
  DeletedRunsSchema,
  DeviceRunListSchema,
  DeviceRunQuerySchema,
  IfMatchHeadersSchema,
  OccurrenceListQuerySchema,
  OccurrenceListSchema,
  OccurrenceParamsSchema,
  RerunResultSchema,
  SchedulePreviewRequestSchema,
  SchedulePreviewSchema,
  ScheduledJobIdParamsSchema,
  ScheduledJobListSchema,
  ScheduledJobSchema,
  ToggleScheduledJobRequestSchema,
  UpdateScheduledJobRequestSchema,
} from '@borealis/protocol';
import type { ScopeUser } from '../../db/site-scope';
import { UnauthorizedError } from '../../errors';
import { createHistoryService } from './history-service';
import type { ScheduledJobService } from './scheduled-job-service';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';

const read = { auth: 'operator', permission: 'read', group: 'scheduled-jobs' } as const;
const manage = { auth: 'operator', permission: 'job_schedule', group: 'scheduled-jobs' } as const;

const IdempotencyHeadersSchema = z.looseObject({ 'idempotency-key': z.string().min(1).max(255).optional() });

function userOf(request: FastifyRequest): ScopeUser {
  if (!request.operator) throw new UnauthorizedError();
  return request.operator.session;
}

function ifMatchOf(header: string | undefined): number | undefined {
  return header === undefined ? undefined : Number(header.replace(/^W\//, '').replaceAll('"', ''));
}

export function registerScheduledJobRoutes(app: FastifyInstance, deps: { db: Kysely<Database>; jobs: ScheduledJobService }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { jobs } = deps;
  const history = createHistoryService(deps);

  r.get('/api/scheduled_jobs', { config: read, schema: { summary: 'Scheduled jobs in my scope', response: { 200: ScheduledJobListSchema } } }, async (request) => ({
    jobs: await jobs.list(userOf(request)),
  }));

  r.post(
    '/api/scheduled_jobs',
    { config: manage, schema: { summary: 'Create a scheduled job', body: CreateScheduledJobRequestSchema, response: { 201: ScheduledJobSchema } } },
    async (request, reply) => reply.code(201).send(await jobs.create(userOf(request), request.body)),
  );

  r.post(
    '/api/scheduled_jobs/schedule_preview',
    // POST, so S28 treats it as a write: only those who may schedule preview schedules.
    { config: manage, schema: { summary: 'Next occurrences of a schedule in its time zone, without saving', body: SchedulePreviewRequestSchema, response: { 200: SchedulePreviewSchema } } },
    async (request) => jobs.preview(request.body.schedule, request.body.count),
  );

  r.get(
    '/api/scheduled_jobs/:job_id',
    { config: read, schema: { summary: 'One scheduled job', params: ScheduledJobIdParamsSchema, response: { 200: ScheduledJobSchema } } },
    async (request, reply) => {
      const job = await jobs.get(userOf(request), request.params.job_id);
      return reply.header('etag', `"${job.version}"`).send(job);
    },
  );

  r.put(
    '/api/scheduled_jobs/:job_id',
    {
      config: manage,
      schema: { summary: 'Change a scheduled job (fields merge; If-Match: version)', params: ScheduledJobIdParamsSchema, headers: IfMatchHeadersSchema, body: UpdateScheduledJobRequestSchema, response: { 200: ScheduledJobSchema } },
    },
    async (request) => jobs.update(userOf(request), request.params.job_id, request.body, ifMatchOf(request.headers['if-match'])),
  );

  r.post(
    '/api/scheduled_jobs/:job_id/toggle',
    { config: manage, schema: { summary: 'Enable or disable (flips without a body)', params: ScheduledJobIdParamsSchema, body: ToggleScheduledJobRequestSchema.optional(), response: { 200: ScheduledJobSchema } } },
    async (request) => jobs.toggle(userOf(request), request.params.job_id, request.body?.enabled),
  );

  r.post(
    '/api/scheduled_jobs/:job_id/rerun',
    { config: manage, schema: { summary: 'Run now as a manual occurrence (Idempotency-Key honoured)', params: ScheduledJobIdParamsSchema, headers: IdempotencyHeadersSchema, response: { 200: RerunResultSchema, 202: RerunResultSchema } } },
    async (request, reply) => {
      const result = await jobs.rerun(userOf(request), request.params.job_id, request.headers['idempotency-key']);
      if (result.replayed) return reply.code(200).header('idempotent-replayed', 'true').send(result.body);
      return reply.code(202).send(result.body);
    },
  );

  r.delete('/api/scheduled_jobs/:job_id', { config: manage, schema: { summary: 'Delete a scheduled job and its history', params: ScheduledJobIdParamsSchema } }, async (request, reply) => {
    await jobs.remove(userOf(request), request.params.job_id);
    return reply.code(204).send();
  });

  r.get(
    '/api/scheduled_jobs/:job_id/runs',
    { config: read, schema: { summary: 'Run history: occurrences newest first', params: ScheduledJobIdParamsSchema, querystring: OccurrenceListQuerySchema, response: { 200: OccurrenceListSchema } } },
    async (request) => history.occurrences(userOf(request), request.params.job_id, request.query),
  );

  r.get(
    '/api/scheduled_jobs/:job_id/devices',
    { config: read, schema: { summary: 'Per-device results with each component', params: ScheduledJobIdParamsSchema, querystring: DeviceRunQuerySchema, response: { 200: DeviceRunListSchema } } },
    async (request) => history.deviceRuns(userOf(request), request.params.job_id, request.query),
  );

  r.delete(
    '/api/scheduled_jobs/:job_id/runs',
    { config: manage, schema: { summary: 'Clear finished run history', params: ScheduledJobIdParamsSchema, response: { 200: DeletedRunsSchema } } },
    async (request) => history.clear(userOf(request), request.params.job_id),
  );

  r.post(
    '/api/scheduled_jobs/:job_id/occurrences/:occurrence_id/cancel',
    { config: manage, schema: { summary: 'Cancel one occurrence (pending targets; running ones are asked to stop)', params: OccurrenceParamsSchema, response: { 202: CancelOccurrenceResultSchema } } },
    async (request, reply) => reply.code(202).send(await jobs.cancelOccurrence(userOf(request), request.params.job_id, request.params.occurrence_id)),
  );
}
