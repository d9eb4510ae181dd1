// POST /api/agent/token/refresh and /api/agent/token/reauth (agent-protocol §3.4, §3.5). Their 401s
// carry a fresh `DPoP-Nonce`, so an agent can go straight on to reauth.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { DPOP_NONCE_HEADER, TokenReauthRequestSchema, TokenRefreshRequestSchema, TokenResponseSchema } from '@borealis/protocol/agent';
import { actorOf } from '../../http/access-control';
import { DeviceAuthError } from './device-auth-error';
import type { DpopNonces } from './dpop-nonce';
import { AGENT_BODY_LIMIT, gunzipAgentBody } from './agent-body';
import type { TokenService } from './token-service';

export function registerTokenRoutes(app: FastifyInstance, deps: { readonly tokens: TokenService; readonly nonces: DpopNonces }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const hooks = {
    bodyLimit: AGENT_BODY_LIMIT,
    preParsing: gunzipAgentBody,
    onSend: async (_request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      if (reply.statusCode === 401) reply.header(DPOP_NONCE_HEADER, deps.nonces.issue());
      return payload;
    },
  };
  const withHeaders = (err: unknown, reply: FastifyReply) => {
    if (err instanceof DeviceAuthError) for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
  };

  r.post('/api/agent/token/refresh', {
    ...hooks,
    config: { auth: 'device-refresh', permission: 'device_refresh', group: 'enrollment' },
    schema: { summary: 'Rotate the refresh token and get a new access token', body: TokenRefreshRequestSchema, response: { 200: TokenResponseSchema } },
    handler: async (request, reply) => {
      try {
        return await deps.tokens.refresh({ method: request.method, path: request.url, headers: request.headers, actor: actorOf(request) }, request.body);
      } catch (err) {
        withHeaders(err, reply);
        throw err;
      }
    },
  });

  r.post('/api/agent/token/reauth', {
    ...hooks,
    config: { auth: 'device-refresh', permission: 'device_refresh', group: 'agent' },
    schema: { summary: 'Re-authenticate with the device key and a server DPoP nonce', body: TokenReauthRequestSchema, response: { 200: TokenResponseSchema } },
    handler: async (request, reply) => {
      try {
        return await deps.tokens.reauth({ method: request.method, path: request.url, headers: request.headers, actor: actorOf(request) }, request.body);
      } catch (err) {
        withHeaders(err, reply);
        throw err;
      }
    },
  });
}
