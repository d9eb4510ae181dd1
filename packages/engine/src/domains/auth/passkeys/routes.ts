// Passkey routes (security.md §4.6): register and manage own passkeys, and sign in with one.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SignedInSchema } from '@borealis/protocol';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { UnauthorizedError } from '../../../errors';
import { actorOf, isSecureRequest, setSessionCookies } from '../../../http/access-control';
import { SIGN_IN_BODY_LIMIT } from '../../../http/route-config';
import type { PasskeyService, RelyingParty } from './passkey-service';
import type { SessionWithUser } from '../sessions/session-repository';

export interface PasskeyRouteDeps {
  readonly passkeys: PasskeyService;
  /** The live session behind a Cookie header, if any (passkey step-up). */
  readonly currentSession: (cookieHeader: string | undefined) => Promise<SessionWithUser | null>;
  readonly publicUrl: string | undefined;
  readonly rpId?: string;
  readonly rpName?: string;
  readonly extraOrigins?: readonly string[];
}

const PasskeySchema = z.object({ id: z.string(), label: z.string(), created_at: z.string(), last_used_at: z.string().nullable(), transports: z.array(z.string()) });
// WebAuthn options as @simplewebauthn/server builds them (PublicKeyCredential*OptionsJSON).
const OptionsSchema = z.object({ challenge_id: z.string(), options: z.object({ challenge: z.string() }).loose() });
// The browser's credential JSON is checked by @simplewebauthn/server, not re-described here.
const CredentialJson = z.object({ id: z.string().max(1024), rawId: z.string().max(1024), type: z.literal('public-key') }).loose();

export function registerPasskeyRoutes(app: FastifyInstance, deps: PasskeyRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const self = { auth: 'operator', permission: 'self', group: 'auth' } as const;
  const userIdOf = (request: FastifyRequest) => {
    if (!request.operator) throw new UnauthorizedError();
    return request.operator.session.user_id;
  };

  /** RP ID from settings or the public URL (localhost on a loopback engine); origins it may see. */
  const relyingParty = (request: FastifyRequest): RelyingParty => {
    const rpId = deps.rpId ?? (deps.publicUrl ? new URL(deps.publicUrl).hostname : 'localhost');
    const origins = new Set(deps.extraOrigins ?? []);
    if (deps.publicUrl) origins.add(new URL(deps.publicUrl).origin);
    const own = `${request.protocol}://${request.headers.host ?? ''}`;
    try {
      if (new URL(own).hostname === rpId) origins.add(own);
    } catch {
      // A Host header that is not a URL authority adds no origin.
    }
    return { rpId, rpName: deps.rpName ?? 'Borealis', origins: [...origins] };
  };
  const signedIn = (request: FastifyRequest, reply: FastifyReply, result: Awaited<ReturnType<PasskeyService['authenticate']>>) => {
    setSessionCookies(reply, { ...result.cookie, secure: isSecureRequest(request, deps.publicUrl) });
    return result.body;
  };

  r.get('/api/auth/passkeys', { config: self, schema: { summary: 'My passkeys', response: { 200: z.object({ passkeys: z.array(PasskeySchema) }) } } }, async (request) => ({
    passkeys: await deps.passkeys.list(userIdOf(request)),
  }));

  r.post('/api/auth/passkeys/register/options', { config: self, schema: { summary: 'Start passkey registration', response: { 200: OptionsSchema } } }, (request) =>
    deps.passkeys.registrationOptions(userIdOf(request), relyingParty(request)),
  );

  r.post(
    '/api/auth/passkeys/register/verify',
    {
      config: self,
      schema: {
        summary: 'Store a new passkey',
        body: z.object({ challenge_id: z.string().max(64), response: CredentialJson, label: z.string().trim().min(1).max(64).optional() }),
        response: { 200: z.object({ status: z.literal('ok'), username: z.string(), passkey_count: z.number().int(), passkey: PasskeySchema.omit({ last_used_at: true }) }) },
      },
    },
    (request) =>
      deps.passkeys.register(
        { userId: userIdOf(request), challengeId: request.body.challenge_id, response: request.body.response as unknown as RegistrationResponseJSON, label: request.body.label },
        relyingParty(request),
        actorOf(request),
      ),
  );

  const signIn = { auth: 'none', permission: 'public', group: 'auth', gated: true, rateLimit: 'sign_in' } as const;
  r.post(
    '/api/auth/passkeys/authenticate/options',
    { bodyLimit: SIGN_IN_BODY_LIMIT, config: signIn, schema: { summary: 'Start a passkey sign-in', body: z.object({ pending_token: z.string().max(128).optional() }).optional(), response: { 200: OptionsSchema } } },
    (request) => deps.passkeys.authenticationOptions(request.body?.pending_token, relyingParty(request)),
  );

  r.post(
    '/api/auth/passkeys/authenticate/verify',
    {
      bodyLimit: SIGN_IN_BODY_LIMIT,
      config: signIn,
      schema: {
        summary: 'Finish a passkey sign-in (sets the session cookie); signed in, it refreshes the second-factor check instead',
        body: z.object({ challenge_id: z.string().max(64), response: CredentialJson, pending_token: z.string().max(128).optional() }),
        response: { 200: SignedInSchema },
      },
    },
    async (request, reply) => {
      const session = request.body.pending_token ? null : await deps.currentSession(request.headers.cookie);
      const result = await deps.passkeys.authenticate(
        {
          challengeId: request.body.challenge_id,
          response: request.body.response as unknown as AuthenticationResponseJSON,
          pendingToken: request.body.pending_token,
          userAgent: request.headers['user-agent'],
          stepUp: session ? { sessionId: session.id, userId: session.user_id, absoluteExpiresAt: session.absolute_expires_at } : undefined,
        },
        relyingParty(request),
        actorOf(request),
      );
      return signedIn(request, reply, result);
    },
  );

  const params = z.object({ passkey_id: z.string().max(64) });
  r.patch(
    '/api/auth/passkeys/:passkey_id',
    { config: self, schema: { summary: 'Rename a passkey', params, body: z.object({ label: z.string().trim().min(1).max(64) }), response: { 200: PasskeySchema } } },
    (request) => deps.passkeys.rename(userIdOf(request), request.params.passkey_id, request.body.label, actorOf(request)),
  );

  r.delete(
    '/api/auth/passkeys/:passkey_id',
    { config: { ...self, stepUp: true }, schema: { summary: 'Remove a passkey', params, response: { 204: z.undefined() } } },
    async (request, reply) => {
      await deps.passkeys.remove(userIdOf(request), request.params.passkey_id, actorOf(request));
      return reply.code(204).send();
    },
  );
}
