// Server administration routes (routes.tsv group `server`, M1): overview, site workers, work
// items. Admin-only (`server_manage`, security.md §7.2).

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ServerOverviewSchema, ServerWorkersSchema, WorkItemListQuerySchema, WorkItemListSchema } from '@borealis/protocol';
import type { ServerService } from './server-service';

const config = { auth: 'operator-admin', permission: 'server_manage', group: 'server' } as const;

export function registerServerRoutes(app: FastifyInstance, deps: { server: ServerService }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { server } = deps;
  r.get('/api/server/overview', { config, schema: { summary: 'Host, services and engine nodes, TLS certificate, Aegis, operators online, device counts', response: { 200: ServerOverviewSchema } } }, () => server.overview());
  r.get('/api/server/workers', { config, schema: { summary: 'Site workers and per-site device and work-item counts', response: { 200: ServerWorkersSchema } } }, () => server.workers());
  r.get(
    '/api/server/work_items',
    { config, schema: { summary: 'Scheduler work items and their leases, newest first; filter by status and site; keyset-paged', querystring: WorkItemListQuerySchema, response: { 200: WorkItemListSchema } } },
    (request) => server.workItems(request.query),
  );
}
