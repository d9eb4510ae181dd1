// Quick-job routes (routes.tsv group `quick-jobs`, automation.md §2.1, §2.5): dispatch, job and
// target reads, cancel, and upstream's device activity routes. Access control is central.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  ActivityDeletedSchema,
  ActivityDetailSchema,
  ActivityJobParamsSchema,
  ActivityListSchema,
  HostnameParamsSchema,
  ListQuerySchema,
  QuickJobCancelRequestSchema,
  QuickJobCancelResponseSchema,
  QuickJobIdParamsSchema,
  QuickJobListSchema,
  QuickJobSchema,
  QuickJobTargetListSchema,
  QuickJobTargetsQuerySchema,
  QuickRunRequestSchema,
  QuickRunResponseSchema,
} from '@borealis/protocol';
import type { ScopeUser } from '../../db/site-scope';
import { UnauthorizedError } from '../../errors';
import { actorOf } from '../../http/access-control';
import type { createDispatchService } from './dispatch-service';
import { checkKey } from './idempotency';
import type { QuickJobRuntime } from './quick-job-runtime';
import type { ReadService } from './read-service';

const read = { auth: 'operator', permission: 'read', group: 'quick-jobs' } as const;
const run = { auth: 'operator', permission: 'job_run', group: 'quick-jobs' } as const;

function userOf(request: FastifyRequest): ScopeUser & { username: string } {
  if (!request.operator) throw new UnauthorizedError();
  const s = request.operator.session;
  return { user_id: s.user_id, role: s.role, username: s.username };
}

export interface QuickJobRouteDeps {
  readonly dispatch: ReturnType<typeof createDispatchService>;
  readonly reads: ReadService;
  readonly runtime: QuickJobRuntime;
}

export function registerQuickJobRoutes(app: FastifyInstance, deps: QuickJobRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/scripts/quick_run',
    {
      config: run,
      schema: {
        summary: 'Run an assembly now on devices (Idempotency-Key honoured for 24 h)',
        body: QuickRunRequestSchema,
        response: { 202: QuickRunResponseSchema, 200: QuickRunResponseSchema.describe('Replay of an earlier request with this Idempotency-Key') },
      },
    },
    async (request, reply) => {
      const header = request.headers['idempotency-key'];
      const key = typeof header === 'string' ? checkKey(header) : undefined;
      const outcome = await deps.dispatch.quickRun(userOf(request), request.body, actorOf(request), key);
      if (outcome.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(outcome.statusCode).send(outcome.body);
    },
  );

  r.get('/api/quick_jobs', { config: read, schema: { summary: 'Quick jobs in my scope, newest first', querystring: ListQuerySchema, response: { 200: QuickJobListSchema } } }, (request) =>
    deps.reads.list(userOf(request), request.query),
  );

  r.get(
    '/api/quick_jobs/:quick_job_id',
    { config: read, schema: { summary: 'One quick job with its status counts', params: QuickJobIdParamsSchema, response: { 200: QuickJobSchema } } },
    (request) => deps.reads.get(userOf(request), request.params.quick_job_id),
  );

  r.get(
    '/api/quick_jobs/:quick_job_id/targets',
    {
      config: read,
      schema: { summary: 'Per-device targets of a quick job', params: QuickJobIdParamsSchema, querystring: QuickJobTargetsQuerySchema, response: { 200: QuickJobTargetListSchema } },
    },
    (request) => deps.reads.targets(userOf(request), request.params.quick_job_id, request.query),
  );

  r.post(
    '/api/quick_jobs/:quick_job_id/cancel',
    {
      config: run,
      schema: { summary: 'Cancel pending and running targets', params: QuickJobIdParamsSchema, body: QuickJobCancelRequestSchema, response: { 202: QuickJobCancelResponseSchema } },
    },
    async (request, reply) => reply.code(202).send(await deps.runtime.cancel(userOf(request), deps.reads, request.params.quick_job_id, request.body?.job_ids)),
  );

  r.get(
    '/api/device/activity/:hostname',
    { config: read, schema: { summary: "A device's job history, newest first", params: HostnameParamsSchema, querystring: ListQuerySchema, response: { 200: ActivityListSchema } } },
    (request) => deps.reads.deviceActivity(userOf(request), request.params.hostname, request.query),
  );

  r.get(
    '/api/device/activity/job/:job_id',
    { config: read, schema: { summary: 'One execution with its output', params: ActivityJobParamsSchema, response: { 200: ActivityDetailSchema } } },
    (request) => deps.reads.activity(userOf(request), request.params.job_id),
  );

  r.delete(
    '/api/device/activity/:hostname',
    { config: run, schema: { summary: "Clear a device's finished job history", params: HostnameParamsSchema, response: { 200: ActivityDeletedSchema } } },
    async (request) => {
      const result = await deps.reads.clearDeviceActivity(userOf(request), request.params.hostname);
      for (const id of result.jobIds) deps.runtime.events.touch(id);
      deps.runtime.events.activityDeleted(result.rows);
      return { deleted: result.deleted };
    },
  );

}
