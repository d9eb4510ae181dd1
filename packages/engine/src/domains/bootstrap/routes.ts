// Bootstrap routes (security.md §2.2): auth none, 10 requests per minute per address, never gated.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  AdminRecoverRequestSchema,
  AdminSetupRequestSchema,
  AegisCipherRequestSchema,
  BootstrapStateSchema,
  MfaSetupTicketSchema,
  SignedInSchema,
  TicketVerifyRequestSchema,
} from '@borealis/protocol';
import { AppError } from '../../errors';
import { actorOf, isSecureRequest, setSessionCookies } from '../../http/access-control';
import { SIGN_IN_BODY_LIMIT } from '../../http/route-config';
import type { BootstrapService } from './bootstrap-service';

const cfg = { auth: 'none', permission: 'public', group: 'bootstrap', rateLimit: 'bootstrap' } as const;

/** Header X-Borealis-Setup-Token or body setup_token; both must agree when both are sent. */
function setupTokenOf(request: FastifyRequest, body: { setup_token?: string }): string | undefined {
  const header = request.headers['x-borealis-setup-token'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  if (fromHeader && body.setup_token && fromHeader !== body.setup_token) {
    throw new AppError('setup_token_invalid', 'The setup token in the header and the body differ');
  }
  return fromHeader ?? body.setup_token;
}

export function registerBootstrapRoutes(app: FastifyInstance, deps: { bootstrap: BootstrapService; publicUrl: string | undefined }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { bootstrap } = deps;
  const stateOnly = { 200: BootstrapStateSchema };

  r.get('/api/bootstrap/state', { config: { ...cfg, rateLimit: undefined }, schema: { summary: 'Gate phase', response: stateOnly } }, () => bootstrap.state());

  r.post('/api/bootstrap/aegis/setup', { bodyLimit: SIGN_IN_BODY_LIMIT, config: cfg, schema: { summary: 'Create the Aegis cipher (setup token)', body: AegisCipherRequestSchema, response: stateOnly } }, (request) =>
    bootstrap.aegisSetup(request.body.cipher, setupTokenOf(request, request.body), actorOf(request)),
  );

  r.post('/api/bootstrap/aegis/unlock', { bodyLimit: SIGN_IN_BODY_LIMIT, config: cfg, schema: { summary: 'Unlock Aegis after a restart', body: AegisCipherRequestSchema, response: stateOnly } }, (request) =>
    bootstrap.aegisUnlock(request.body.cipher, actorOf(request)),
  );

  r.post('/api/bootstrap/admin/setup', { bodyLimit: SIGN_IN_BODY_LIMIT, config: cfg, schema: { summary: 'First admin: returns a TOTP enrolment ticket', body: AdminSetupRequestSchema, response: { 200: MfaSetupTicketSchema } } }, (request) =>
    bootstrap.adminSetup(request.body, setupTokenOf(request, request.body), actorOf(request, request.body.username)),
  );

  r.post('/api/bootstrap/admin/recover', { bodyLimit: SIGN_IN_BODY_LIMIT, config: cfg, schema: { summary: 'Recover an admin after a force reset', body: AdminRecoverRequestSchema, response: { 200: MfaSetupTicketSchema } } }, (request) =>
    bootstrap.adminRecover(request.body, setupTokenOf(request, request.body), actorOf(request, request.body.username)),
  );

  r.post(
    '/api/bootstrap/admin/mfa/verify',
    { bodyLimit: SIGN_IN_BODY_LIMIT, config: cfg, schema: { summary: 'Confirm TOTP: creates the admin and signs in', body: TicketVerifyRequestSchema, response: { 200: SignedInSchema } } },
    async (request, reply) => {
      const result = await bootstrap.adminVerify(
        { pendingToken: request.body.pending_token, code: request.body.code, userAgent: request.headers['user-agent'] },
        setupTokenOf(request, request.body),
        actorOf(request),
      );
      setSessionCookies(reply, { ...result.cookie, secure: isSecureRequest(request, deps.publicUrl) });
      return result.body;
    },
  );
}
