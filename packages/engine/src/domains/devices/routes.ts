// Device registry routes (routes.tsv group `devices`): list, search, one device, full details,
// descriptions, online agents and containment. Access control is central; scope is the service's.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  AgentMapSchema,
  DeviceActionRequestSchema,
  DeviceActionResultSchema,
  DeviceDescriptionRequestSchema,
  DeviceDetailsSchema,
  DeviceGuidParamsSchema,
  DeviceHostnameParamsSchema,
  DeviceListQuerySchema,
  DeviceListSchema,
  DevicePurgeResultSchema,
  DeviceSchema,
  DeviceSearchQuerySchema,
  DeviceSearchResultSchema,
} from '@borealis/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import type { ScopeUser } from '../../db/site-scope';
import { UnauthorizedError } from '../../errors';
import { actorOf } from '../../http/access-control';
import type { AuditLog } from '../audit/audit-log';
import { createContainmentService, type ContainmentAction } from './containment-service';
import type { DeviceEvents } from './device-events';
import { createDeviceService } from './device-service';
import { registerListViewRoutes } from './list-views/routes';
import type { RefreshTokens } from './trust/refresh-tokens';

export interface DeviceRoutesDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly deviceEvents: DeviceEvents;
  readonly refreshTokens: Pick<RefreshTokens, 'revokeDeviceFamilies'>;
}

const read = { auth: 'operator', permission: 'read', group: 'devices' } as const;
const edit = { auth: 'operator', permission: 'device_edit', group: 'devices' } as const;
const contain = { auth: 'operator-admin', permission: 'device_contain', group: 'devices' } as const;

export function userOf(request: FastifyRequest): ScopeUser {
  if (!request.operator) throw new UnauthorizedError();
  return request.operator.session;
}

export function registerDeviceRoutes(app: FastifyInstance, deps: DeviceRoutesDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const devices = createDeviceService(deps);
  const containment = createContainmentService(deps);
  registerListViewRoutes(app, deps);

  r.get(
    '/api/devices',
    {
      config: read,
      schema: {
        summary: 'Devices in my scope: cursor-paged, sorted, searched and filtered on the server',
        querystring: DeviceListQuerySchema,
        response: { 200: DeviceListSchema },
      },
    },
    (request) => devices.list(userOf(request), request.query),
  );

  r.get(
    '/api/devices/search',
    { config: read, schema: { summary: 'Find devices by name or description (at least 3 characters)', querystring: DeviceSearchQuerySchema, response: { 200: DeviceSearchResultSchema } } },
    (request) => devices.search(userOf(request), request.query.q, request.query.limit),
  );

  r.get('/api/devices/:guid', { config: read, schema: { summary: 'One device', params: DeviceGuidParamsSchema, response: { 200: DeviceSchema } } }, (request) =>
    devices.get(userOf(request), request.params.guid),
  );

  r.get('/api/agents', { config: read, schema: { summary: 'Online agents keyed by agent_id', response: { 200: AgentMapSchema } } }, (request) =>
    devices.agents(userOf(request)),
  );

  r.get(
    '/api/device/details/:hostname',
    {
      config: read,
      schema: { summary: 'The device with its inventory sections ({} if unknown or out of scope)', params: DeviceHostnameParamsSchema, response: { 200: DeviceDetailsSchema } },
    },
    (request) => devices.details(userOf(request), request.params.hostname),
  );

  r.post(
    '/api/device/description/:hostname',
    {
      config: edit,
      schema: { summary: "Set a device's description (blank clears)", params: DeviceHostnameParamsSchema, body: DeviceDescriptionRequestSchema, response: { 200: DeviceSchema } },
    },
    (request) => devices.describe(userOf(request), request.params.hostname, request.body.description),
  );

  const action = (path: string, name: ContainmentAction, summary: string) =>
    r.post(
      path,
      { config: contain, schema: { summary, params: DeviceGuidParamsSchema, body: DeviceActionRequestSchema.optional(), response: { 200: DeviceActionResultSchema } } },
      (request) => containment.act(name, request.params.guid, request.body?.reason ?? null, actorOf(request)),
    );
  action('/api/devices/:guid/quarantine', 'quarantine', 'Quarantine: no jobs, shell or VPN; the agent must refresh');
  action('/api/devices/:guid/unquarantine', 'unquarantine', 'Back to active; the agent must refresh');
  action('/api/devices/:guid/revoke', 'revoke', 'Revoke: tokens end, the agent stops');

  r.delete(
    '/api/devices/:guid',
    { config: contain, schema: { summary: 'Retire a device: revoke its tokens, keep its history, hide it from lists', params: DeviceGuidParamsSchema, response: { 200: DeviceActionResultSchema } } },
    (request) => containment.act('retire', request.params.guid, null, actorOf(request)),
  );

  r.post(
    '/api/devices/:guid/purge',
    { config: contain, schema: { summary: 'Delete the device and its trust; its old tokens stay barred', params: DeviceGuidParamsSchema, response: { 200: DevicePurgeResultSchema } } },
    (request) => containment.purge(request.params.guid, actorOf(request)),
  );
}
