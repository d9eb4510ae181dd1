// Agent REST routes (routes.tsv group `agent`, agent-protocol §4.3–§4.5): heartbeat fallback,
// inventory upload, config pull with ETag, and the job-signing keys. Device auth runs centrally.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  AgentConfigSchema,
  AgentSigningKeysResponseSchema,
  HEARTBEAT_MAX_BYTES,
  HeartbeatAckSchema,
  HeartbeatSchema,
  InventoryUploadResponseSchema,
  InventoryUploadSchema,
} from '@borealis/protocol/agent';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { AppError, UnauthorizedError } from '../../errors';
import { loadDeviceConfig, signingKeys } from './agent-config';
import { AGENT_BODY_LIMIT, gunzipAgentBody, INVENTORY_BODY_LIMIT } from './agent-body';
import type { AuthenticatedDevice } from './device-authenticator';
import { acceptHeartbeat } from './heartbeat-service';
import type { InventoryService } from './inventory/inventory-service';
import type { HeartbeatStore } from './presence/heartbeat-store';

const device = { auth: 'device', permission: 'device', group: 'agent' } as const;

function deviceOf(request: FastifyRequest): AuthenticatedDevice {
  if (!request.device) throw new UnauthorizedError('Device authentication required');
  return request.device;
}

export interface AgentRouteDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly store: HeartbeatStore;
  readonly inventory: InventoryService;
}

export function registerAgentRoutes(app: FastifyInstance, deps: AgentRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const configOf = async (d: AuthenticatedDevice) => {
    const view = await loadDeviceConfig(deps.db, d.rowGuid);
    if (!view) throw new AppError('device_not_found', 'no device has this GUID; enrol again');
    return view;
  };

  r.post('/api/agent/heartbeat', {
    config: device,
    bodyLimit: AGENT_BODY_LIMIT,
    preParsing: gunzipAgentBody,
    schema: { summary: 'Heartbeat while the socket is down (the response is the ack)', body: HeartbeatSchema, response: { 200: HeartbeatAckSchema } },
    handler: async (request) => {
      const d = deviceOf(request);
      if (Buffer.byteLength(JSON.stringify(request.body)) > HEARTBEAT_MAX_BYTES) throw new AppError('payload_too_large', 'A heartbeat is at most 4 KiB');
      const [view, hashes] = await Promise.all([configOf(d), deps.inventory.hashes(d.rowGuid)]);
      return acceptHeartbeat(deps, d, request.body, view, hashes, false);
    },
  });

  r.post('/api/agent/details', {
    config: device,
    bodyLimit: INVENTORY_BODY_LIMIT,
    preParsing: gunzipAgentBody,
    schema: { summary: 'Upload inventory sections (replace semantics)', body: InventoryUploadSchema, response: { 200: InventoryUploadResponseSchema } },
    handler: async (request) => {
      const result = await deps.inventory.upload(deviceOf(request), request.body, request.ip ?? null);
      return { ok: true as const, stored: result.stored, inventory_wanted: result.inventory_wanted };
    },
  });

  r.get('/api/agent/config', {
    config: device,
    schema: { summary: 'Agent configuration by revision (ETag / If-None-Match)', response: { 200: AgentConfigSchema, 304: z.null().describe('Not modified') } },
    handler: async (request, reply) => {
      const view = await configOf(deviceOf(request));
      const etag = `"${view.config.revision}"`;
      reply.header('etag', etag);
      const match = request.headers['if-none-match'];
      if (match && match.split(',').some((m) => m.trim().replace(/^W\//, '') === etag)) return reply.code(304).send(null);
      return view.config;
    },
  });

  r.get('/api/agent/signing-keys', {
    config: device,
    schema: { summary: 'Job-signing public keys the agent must trust', response: { 200: AgentSigningKeysResponseSchema } },
    handler: async (request) => {
      deviceOf(request);
      return { keys: await signingKeys(deps.db) };
    },
  });
}
