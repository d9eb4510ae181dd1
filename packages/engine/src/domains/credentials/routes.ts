// Credential store routes (security.md §3.5, routes.tsv group `credentials`). Access control is
// central; site scope is applied by the service. No response ever carries a secret.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CreateCredentialRequestSchema,
  CredentialIdParamsSchema,
  CredentialListSchema,
  CredentialSchema,
  IfMatchHeadersSchema,
  UpdateCredentialRequestSchema,
} from '@borealis/protocol';
import type { ScopeUser } from '../../db/site-scope';
import { UnauthorizedError } from '../../errors';
import { actorOf } from '../../http/access-control';
import type { DomainDeps } from '../domain-deps';
import { createCredentialService } from './credential-service';

const use = { auth: 'operator', permission: 'credential_use', group: 'credentials' } as const;
const manage = { auth: 'operator-admin', permission: 'credential_manage', group: 'credentials' } as const;

function userOf(request: FastifyRequest): ScopeUser {
  if (!request.operator) throw new UnauthorizedError();
  return request.operator.session;
}

/** `3`, `"3"` or `W/"3"` → 3 (the header was validated by IfMatchHeadersSchema). */
function ifMatchOf(header: string | undefined): number | undefined {
  return header === undefined ? undefined : Number(header.replace(/^W\//, '').replaceAll('"', ''));
}

export function registerCredentialRoutes(app: FastifyInstance, deps: DomainDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const credentials = createCredentialService(deps);

  r.get('/api/credentials', { config: use, schema: { summary: 'Credentials of my sites (no secrets)', response: { 200: CredentialListSchema } } }, async (request) => ({
    credentials: await credentials.list(userOf(request)),
  }));

  r.get(
    '/api/credentials/:credential_id',
    { config: use, schema: { summary: 'One credential (no secrets)', params: CredentialIdParamsSchema, response: { 200: CredentialSchema } } },
    (request) => credentials.get(userOf(request), request.params.credential_id),
  );

  r.post(
    '/api/credentials',
    { config: manage, schema: { summary: 'Create a credential; secrets are stored under Aegis', body: CreateCredentialRequestSchema, response: { 201: CredentialSchema } } },
    async (request, reply) => reply.code(201).send(await credentials.create(userOf(request), request.body, actorOf(request))),
  );

  r.put(
    '/api/credentials/:credential_id',
    {
      config: manage,
      schema: {
        summary: 'Update a credential (If-Match: version); secrets: absent keeps, null clears, a string replaces',
        params: CredentialIdParamsSchema,
        headers: IfMatchHeadersSchema,
        body: UpdateCredentialRequestSchema,
        response: { 200: CredentialSchema },
      },
    },
    (request) => credentials.update(userOf(request), request.params.credential_id, request.body, ifMatchOf(request.headers['if-match']), actorOf(request)),
  );

  r.delete(
    '/api/credentials/:credential_id',
    { config: manage, schema: { summary: 'Delete a credential', params: CredentialIdParamsSchema, response: { 204: z.undefined() } } },
    async (request, reply) => {
      await credentials.remove(userOf(request), request.params.credential_id, actorOf(request));
      return reply.code(204).send();
    },
  );
}
