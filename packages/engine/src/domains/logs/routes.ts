// The log viewer (routes.tsv group `logs`, M1): list files per service, read one from its end,
// set per-file retention, delete (or empty) a file. Admin-only (`server_manage`, security.md §7.2).

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LOG_NAME, LogEntriesQuerySchema, LogEntriesSchema, LogListSchema, LogRetentionBodySchema } from '@borealis/protocol';
import { actorOf } from '../../http/access-control';
import type { LogService } from './log-service';

const config = { auth: 'operator-admin', permission: 'server_manage', group: 'logs' } as const;
const Params = z.object({ log_name: z.string().regex(LOG_NAME, 'not a log name from GET /api/server/logs') });

export function registerLogRoutes(app: FastifyInstance, deps: { logs: LogService }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { logs } = deps;

  r.get('/api/server/logs', { config, schema: { summary: 'Log files per service with sizes, dates and retention; applies retention to rolled files', response: { 200: LogListSchema } } }, () => logs.list());

  r.get(
    '/api/server/logs/:log_name/entries',
    { config, schema: { summary: 'The last lines of one log file (paged back from the end, optional text filter)', params: Params, querystring: LogEntriesQuerySchema, response: { 200: LogEntriesSchema } } },
    (request) => logs.entries(request.params.log_name, request.query),
  );

  r.put(
    '/api/server/logs/retention',
    { config, schema: { summary: 'Per-file retention in days for rolled files', body: LogRetentionBodySchema, response: { 200: LogListSchema } } },
    (request) => logs.setRetention(actorOf(request), request.body),
  );

  r.delete(
    '/api/server/logs/:log_name',
    { config, schema: { summary: 'Delete a rolled log file, or empty a live one', params: Params, response: { 200: z.object({ file: z.string(), deleted: z.boolean(), truncated: z.boolean() }) } } },
    (request) => logs.remove(actorOf(request), request.params.log_name),
  );
}
