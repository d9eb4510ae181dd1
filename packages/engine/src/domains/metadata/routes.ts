// Metadata field routes (routes.tsv groups `metadata` and `devices`): global definitions and the
// 500 values of one device. Access control is central; scope is the service's.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  DeviceMetadataDeviceParamsSchema,
  DeviceMetadataListSchema,
  DeviceMetadataParamsSchema,
  DeviceMetadataValueSchema,
  MetadataFieldDefinitionListSchema,
  MetadataFieldDefinitionSchema,
  MetadataFieldParamsSchema,
  SetDeviceMetadataRequestSchema,
  UpdateMetadataFieldRequestSchema,
} from '@borealis/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { UnauthorizedError } from '../../errors';
import { createMetadataService } from './metadata-service';

export interface MetadataRoutesDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
}

function userOf(request: FastifyRequest) {
  const session = request.operator?.session;
  if (!session) throw new UnauthorizedError();
  return { user_id: session.user_id, role: session.role, username: session.username };
}

export function registerMetadataRoutes(app: FastifyInstance, deps: MetadataRoutesDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const metadata = createMetadataService(deps);

  r.get(
    '/api/metadata_fields',
    { config: { auth: 'operator', permission: 'read', group: 'metadata' }, schema: { summary: 'The 500 metadata field definitions', response: { 200: MetadataFieldDefinitionListSchema } } },
    () => metadata.definitions(),
  );

  r.put(
    '/api/metadata_fields/:field_number',
    {
      // Field labels are engine-wide configuration, hence an admin-only permission.
      config: { auth: 'operator-admin', permission: 'server_manage', group: 'metadata' },
      schema: { summary: "Edit a field's label or description", params: MetadataFieldParamsSchema, body: UpdateMetadataFieldRequestSchema, response: { 200: MetadataFieldDefinitionSchema } },
    },
    (request) => metadata.updateDefinition(request.params.field_number, request.body, userOf(request).username),
  );

  r.get(
    '/api/devices/:device_id/metadata_fields',
    {
      config: { auth: 'operator', permission: 'read', group: 'devices' },
      schema: { summary: "All 500 metadata rows of a device (by GUID or hostname)", params: DeviceMetadataDeviceParamsSchema, response: { 200: DeviceMetadataListSchema } },
    },
    (request) => metadata.valuesOf(userOf(request), request.params.device_id),
  );

  r.put(
    '/api/devices/:device_id/metadata_fields/:field_number',
    {
      config: { auth: 'operator', permission: 'device_edit', group: 'devices' },
      schema: { summary: 'Set one metadata value (blank clears)', params: DeviceMetadataParamsSchema, body: SetDeviceMetadataRequestSchema, response: { 200: DeviceMetadataValueSchema } },
    },
    (request) => metadata.setValue(userOf(request), request.params.device_id, request.params.field_number, request.body.value),
  );
}
