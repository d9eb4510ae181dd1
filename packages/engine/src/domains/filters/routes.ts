// Device filter routes (routes.tsv group `filters`, automation.md §7). Reads need `read`, edits
// `device_edit`; PUT takes If-Match. Access control is central.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  CloneDeviceFilterRequestSchema,
  CreateDeviceFilterRequestSchema,
  DeletedDeviceFilterSchema,
  DeviceFilterEditorMetadataSchema,
  DeviceFilterListQuerySchema,
  DeviceFilterListSchema,
  DeviceFilterPreviewRequestSchema,
  DeviceFilterPreviewSchema,
  DeviceFilterSchema,
  DeviceFilterSearchQuerySchema,
  DeviceFilterUsageSchema,
  FilterIdParamsSchema,
  UpdateDeviceFilterRequestSchema,
} from '@borealis/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { UnauthorizedError } from '../../errors';
import { filterEditorMetadata } from './editor-metadata';
import { createFilterService, parseIfMatch, type FilterUsageLookup } from './filter-service';

export interface FilterRoutesDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly usage?: FilterUsageLookup;
}

const read = { auth: 'operator', permission: 'read', group: 'filters' } as const;
const edit = { auth: 'operator', permission: 'device_edit', group: 'filters' } as const;

function editorOf(request: FastifyRequest) {
  const session = request.operator?.session;
  if (!session) throw new UnauthorizedError();
  return { user_id: session.user_id, role: session.role, userId: session.user_id, username: session.username };
}

export function registerFilterRoutes(app: FastifyInstance, deps: FilterRoutesDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const filters = createFilterService(deps);
  const header = (request: FastifyRequest) => {
    const v = request.headers['if-match'];
    return Array.isArray(v) ? v[0] : v;
  };

  r.get(
    '/api/device_filters',
    { config: read, schema: { summary: 'Saved device filters (active by default)', querystring: DeviceFilterListQuerySchema, response: { 200: DeviceFilterListSchema } } },
    (request) => filters.list(request.query.archived === 'all' ? null : request.query.archived === 'true'),
  );

  r.get('/api/device_filters/metadata', { config: read, schema: { summary: 'Fields, operators and metadata fields for the editor', response: { 200: DeviceFilterEditorMetadataSchema } } }, () =>
    filterEditorMetadata(deps.db),
  );

  r.get(
    '/api/device_filters/search',
    { config: read, schema: { summary: 'Find filters by name or description', querystring: DeviceFilterSearchQuerySchema, response: { 200: DeviceFilterListSchema } } },
    (request) => filters.search(request.query.q, request.query.include_archived === 'true'),
  );

  r.post(
    '/api/device_filters/preview',
    // A POST: security.md S28 gives every mutating-method route a non-viewer permission.
    { config: edit, schema: { summary: 'Evaluate an unsaved filter within my scope', body: DeviceFilterPreviewRequestSchema, response: { 200: DeviceFilterPreviewSchema } } },
    (request) => filters.preview(editorOf(request), request.body),
  );

  r.get('/api/device_filters/:filter_id', { config: read, schema: { summary: 'One filter', params: FilterIdParamsSchema, response: { 200: DeviceFilterSchema } } }, (request) =>
    filters.get(request.params.filter_id),
  );

  r.get(
    '/api/device_filters/:filter_id/usage',
    { config: read, schema: { summary: 'Scheduled jobs that target the filter', params: FilterIdParamsSchema, response: { 200: DeviceFilterUsageSchema } } },
    (request) => filters.usage(request.params.filter_id),
  );

  r.post(
    '/api/device_filters',
    { config: edit, schema: { summary: 'Create a filter', body: CreateDeviceFilterRequestSchema, response: { 201: DeviceFilterSchema } } },
    async (request, reply) => reply.code(201).send(await filters.create(editorOf(request), request.body)),
  );

  r.put(
    '/api/device_filters/:filter_id',
    {
      config: edit,
      schema: { summary: 'Replace a filter (If-Match: version)', params: FilterIdParamsSchema, body: UpdateDeviceFilterRequestSchema, response: { 200: DeviceFilterSchema } },
    },
    (request) => filters.update(editorOf(request), request.params.filter_id, parseIfMatch(header(request), request.body.version), request.body),
  );

  r.post(
    '/api/device_filters/:filter_id/clone',
    { config: edit, schema: { summary: 'Copy a filter', params: FilterIdParamsSchema, body: CloneDeviceFilterRequestSchema.optional(), response: { 201: DeviceFilterSchema } } },
    async (request, reply) => reply.code(201).send(await filters.clone(editorOf(request), request.params.filter_id, request.body?.name)),
  );

  r.post(
    '/api/device_filters/:filter_id/archive',
    { config: edit, schema: { summary: 'Archive a filter (it then matches nothing)', params: FilterIdParamsSchema, response: { 200: DeviceFilterSchema } } },
    (request) => filters.setArchived(editorOf(request), request.params.filter_id, true),
  );

  r.post(
    '/api/device_filters/:filter_id/unarchive',
    { config: edit, schema: { summary: 'Restore an archived filter', params: FilterIdParamsSchema, response: { 200: DeviceFilterSchema } } },
    (request) => filters.setArchived(editorOf(request), request.params.filter_id, false),
  );

  r.delete(
    '/api/device_filters/:filter_id',
    { config: edit, schema: { summary: 'Delete a filter (409 filter_in_use while a job uses it)', params: FilterIdParamsSchema, response: { 200: DeletedDeviceFilterSchema } } },
    (request) => filters.delete(request.params.filter_id),
  );
}
