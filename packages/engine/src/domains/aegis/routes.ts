// Aegis administration routes (security.md §3.6–§3.7): status, passphrase change and data-key
// rotation, force reset (typed confirmation plus the caller's password).

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AegisStatusSchema, PassphraseSchema, PasswordSchema } from '@borealis/protocol';
import { UnauthorizedError } from '../../errors';
import { actorOf, clearSessionCookies, isSecureRequest } from '../../http/access-control';
import type { AegisService } from './aegis-service';
import type { AegisRotation } from './aegis-rotation';
import type { ForceResetResult } from './force-reset';

export interface AegisRouteDeps {
  readonly aegis: AegisService;
  readonly rotation: AegisRotation;
  readonly forceResetAsUser: (input: { userId: string; confirm: string; password: string }, actor: ReturnType<typeof actorOf>) => Promise<ForceResetResult>;
  readonly publicUrl: string | undefined;
}

const RotationSummary = z.object({ id: z.string(), state: z.string(), total: z.number(), done: z.number() });

export function registerAegisRoutes(app: FastifyInstance, deps: AegisRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/aegis/status',
    { config: { auth: 'operator', permission: 'read', group: 'aegis' }, schema: { summary: 'Aegis state, protected value counts, rotation', response: { 200: AegisStatusSchema } } },
    () => deps.aegis.status(),
  );

  r.post(
    '/api/aegis/rotate',
    {
      config: { auth: 'operator-admin', permission: 'aegis_manage', group: 'aegis' },
      schema: {
        summary: 'Change the passphrase and/or rotate the data key (resumable)',
        body: z
          .object({ current_cipher: PassphraseSchema, new_cipher: PassphraseSchema.optional(), rotate_data_key: z.boolean().optional() })
          .refine((b) => b.new_cipher !== undefined || b.rotate_data_key !== false, { message: 'ask for a new passphrase, a data-key rotation, or both', path: ['rotate_data_key'] }),
        response: { 200: z.object({ status: z.literal('ok'), rotation: z.null() }), 202: z.object({ status: z.literal('started'), rotation: RotationSummary }) },
      },
    },
    async (request, reply) => {
      const result = await deps.rotation.rotate(request.body, actorOf(request));
      return reply.code(result.status).send(result.body as never);
    },
  );

  r.post(
    '/api/aegis/force_reset',
    {
      config: { auth: 'operator-admin', permission: 'aegis_manage', group: 'aegis' },
      schema: {
        summary: 'Destroy every protected secret (typed confirmation FORCE RESET and your password)',
        body: z.object({ confirm: z.string().max(64), password: PasswordSchema }),
        response: {
          200: z.object({
            affected_users: z.number(),
            removed_passkeys: z.number(),
            revoked_sessions: z.number(),
            affected_credentials: z.number(),
            disabled_jobs: z.number(),
            retired_signing_keys: z.number(),
            cleared: z.record(z.string(), z.number()),
          }),
        },
      },
    },
    async (request, reply) => {
      if (!request.operator) throw new UnauthorizedError();
      const result = await deps.forceResetAsUser({ userId: request.operator.session.user_id, ...request.body }, actorOf(request));
      clearSessionCookies(reply, isSecureRequest(request, deps.publicUrl));
      return result;
    },
  );
}
