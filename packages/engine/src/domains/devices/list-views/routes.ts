// Device list view routes (routes.tsv group `devices`): read with `read`, edit with `device_edit`.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  CreateDeviceListViewRequestSchema,
  DeletedDeviceListViewSchema,
  DeviceListViewListSchema,
  DeviceListViewSchema,
  ListViewIdParamsSchema,
  UpdateDeviceListViewRequestSchema,
} from '@borealis/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../../clock';
import type { Database } from '../../../db/schema';
import { UnauthorizedError } from '../../../errors';
import { parseIfMatch } from '../../filters/filter-service';
import { createListViewService } from './list-view-service';

const read = { auth: 'operator', permission: 'read', group: 'devices' } as const;
const edit = { auth: 'operator', permission: 'device_edit', group: 'devices' } as const;

function userIdOf(request: FastifyRequest): string {
  const session = request.operator?.session;
  if (!session) throw new UnauthorizedError();
  return session.user_id;
}

export function registerListViewRoutes(app: FastifyInstance, deps: { readonly db: Kysely<Database>; readonly clock: Clock }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const views = createListViewService(deps);

  r.get('/api/device_list_views', { config: read, schema: { summary: 'Saved device-grid views (shared and mine)', response: { 200: DeviceListViewListSchema } } }, (request) =>
    views.list(userIdOf(request)),
  );

  r.get('/api/device_list_views/:view_id', { config: read, schema: { summary: 'One view', params: ListViewIdParamsSchema, response: { 200: DeviceListViewSchema } } }, (request) =>
    views.get(userIdOf(request), request.params.view_id),
  );

  r.post(
    '/api/device_list_views',
    { config: edit, schema: { summary: 'Save a view ("Default View" is reserved)', body: CreateDeviceListViewRequestSchema, response: { 201: DeviceListViewSchema } } },
    async (request, reply) => reply.code(201).send(await views.create(userIdOf(request), request.body)),
  );

  r.put(
    '/api/device_list_views/:view_id',
    { config: edit, schema: { summary: 'Change a view (If-Match: version)', params: ListViewIdParamsSchema, body: UpdateDeviceListViewRequestSchema, response: { 200: DeviceListViewSchema } } },
    (request) => {
      const header = request.headers['if-match'];
      const version = parseIfMatch(Array.isArray(header) ? header[0] : header, request.body.version);
      return views.update(userIdOf(request), request.params.view_id, version, request.body);
    },
  );

  r.delete(
    '/api/device_list_views/:view_id',
    { config: edit, schema: { summary: 'Delete a view', params: ListViewIdParamsSchema, response: { 200: DeletedDeviceListViewSchema } } },
    (request) => views.delete(userIdOf(request), request.params.view_id),
  );
}
