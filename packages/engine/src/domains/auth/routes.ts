// Operator sign-in and own-account routes (security.md §4–§5). Sessions and CSRF are enforced
// centrally (http/access-control.ts); these handlers only call services.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CsrfSchema,
  LoginRequestSchema,
  LoginResponseSchema,
  MeSchema,
  MfaVerifyRequestSchema,
  PasswordChangeRequestSchema,
  RecoveryCodesSchema,
  SessionListSchema,
  SignedInSchema,
  StepUpResponseSchema,
  TotpConfirmRequestSchema,
  TotpEnrolmentSchema,
  TotpSetupRequestSchema,
} from '@borealis/protocol';
import { NotFoundError, UnauthorizedError } from '../../errors';
import { actorOf, clearSessionCookies, isSecureRequest, setSessionCookies, type OperatorContext } from '../../http/access-control';
import { SIGN_IN_BODY_LIMIT } from '../../http/route-config';
import type { AccountService } from './account-service';
import type { SignInResult, SignInService } from './sign-in-service';
import type { TotpEnrolment } from './totp-enrolment';

export interface AuthRouteDeps {
  readonly signIn: SignInService;
  readonly totp: TotpEnrolment;
  readonly account: AccountService;
  readonly publicUrl: string | undefined;
  readonly stepUpSeconds: number;
}

const self = { auth: 'operator', permission: 'self', group: 'auth' } as const;

function operatorOf(request: FastifyRequest): OperatorContext {
  if (!request.operator) throw new UnauthorizedError();
  return request.operator;
}

export function registerAuthRoutes(app: FastifyInstance, deps: AuthRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const secure = (request: FastifyRequest) => isSecureRequest(request, deps.publicUrl);
  const signedIn = (request: FastifyRequest, reply: FastifyReply, result: SignInResult) => {
    setSessionCookies(reply, { ...result.cookie, secure: secure(request) });
    return result.body;
  };

  r.post(
    '/api/auth/login',
    {
      bodyLimit: SIGN_IN_BODY_LIMIT,
      config: { auth: 'none', permission: 'public', group: 'auth', gated: true, rateLimit: 'sign_in' },
      schema: { summary: 'Password sign-in', body: LoginRequestSchema, response: { 200: LoginResponseSchema } },
    },
    async (request, reply) => {
      const outcome = await deps.signIn.login(
        { username: request.body.username, password: request.body.password, userAgent: request.headers['user-agent'] },
        actorOf(request, request.body.username.slice(0, 64)),
      );
      return outcome.kind === 'ticket' ? outcome.body : signedIn(request, reply, outcome.result);
    },
  );

  r.post(
    '/api/auth/mfa/verify',
    {
      bodyLimit: SIGN_IN_BODY_LIMIT,
      config: { ...self, ticket: 'mfa', rateLimit: 'sign_in', allowDuringPasswordChange: true },
      schema: {
        summary: 'Second factor: finish a sign-in (with pending_token) or step up a session (without)',
        body: MfaVerifyRequestSchema,
        response: { 200: z.union([SignedInSchema, StepUpResponseSchema]) },
      },
    },
    async (request, reply) => {
      const { pending_token, code, recovery_code, password } = request.body;
      if (pending_token) {
        const result = await deps.signIn.verifyTicket({ pendingToken: pending_token, code, recovery_code, userAgent: request.headers['user-agent'] }, actorOf(request));
        return signedIn(request, reply, result);
      }
      const { session } = operatorOf(request);
      const rotated = await deps.signIn.stepUp({ sessionId: session.id, userId: session.user_id, code, recovery_code, password }, actorOf(request));
      setSessionCookies(reply, { secret: rotated.secret, csrfToken: rotated.csrfToken, maxAgeSeconds: deps.account.secondsLeft(session), secure: secure(request) });
      return { status: 'ok' as const, csrf_token: rotated.csrfToken, verified_at: new Date().toISOString() };
    },
  );

  r.post(
    '/api/auth/mfa/totp/setup',
    {
      config: { ...self, ticket: 'mfa_setup', allowDuringPasswordChange: true },
      schema: { summary: 'Start TOTP enrolment: secret, otpauth URL, QR image', body: TotpSetupRequestSchema, response: { 200: TotpEnrolmentSchema } },
    },
    async (request) => {
      if (request.body.pending_token) {
        const { userId } = await deps.totp.ticketUser(request.body.pending_token);
        return deps.totp.setup(userId, await deps.account.usernameOf(userId));
      }
      const { session } = operatorOf(request);
      // Replacing an active authenticator needs a recent second factor (security.md §4.4).
      await deps.account.requireRecentStepUpIfTotp(session, deps.stepUpSeconds);
      return deps.totp.setup(session.user_id, session.username);
    },
  );

  r.post(
    '/api/auth/mfa/totp/confirm',
    {
      config: { ...self, ticket: 'mfa_setup', allowDuringPasswordChange: true },
      schema: {
        summary: 'Confirm TOTP with a first code; returns recovery codes once (and signs in with a ticket)',
        body: TotpConfirmRequestSchema,
        response: { 200: z.union([SignedInSchema, RecoveryCodesSchema]) },
      },
    },
    async (request, reply) => {
      const userAgent = request.headers['user-agent'];
      if (request.body.pending_token) {
        const { userId, ticketId } = await deps.totp.ticketUser(request.body.pending_token);
        const result = await deps.totp.confirm({ userId, code: request.body.code, ticketId, userAgent }, actorOf(request));
        return signedIn(request, reply, result.signIn!);
      }
      const { session } = operatorOf(request);
      const result = await deps.totp.confirm({ userId: session.user_id, code: request.body.code, userAgent }, actorOf(request));
      return { recovery_codes: result.recoveryCodes };
    },
  );

  r.get('/api/auth/me', { config: { ...self, allowDuringPasswordChange: true }, schema: { summary: 'The signed-in operator', response: { 200: MeSchema } } }, (request) =>
    deps.account.me(operatorOf(request).session.user_id),
  );

  r.get('/api/auth/csrf', { config: { ...self, allowDuringPasswordChange: true }, schema: { summary: 'CSRF token of this session', response: { 200: CsrfSchema } } }, (request) => ({
    csrf_token: deps.account.csrfFor(operatorOf(request).secret),
  }));

  r.post('/api/auth/logout', { config: { ...self, allowDuringPasswordChange: true }, schema: { summary: 'End this session', response: { 204: z.undefined() } } }, async (request, reply) => {
    await deps.account.logout(operatorOf(request).session, actorOf(request));
    clearSessionCookies(reply, secure(request));
    return reply.code(204).send();
  });

  r.get('/api/auth/sessions', { config: self, schema: { summary: 'My live sessions', response: { 200: SessionListSchema } } }, async (request) => ({
    sessions: await deps.account.listSessions(operatorOf(request).session),
  }));

  r.delete(
    '/api/auth/sessions/:session_id',
    { config: self, schema: { summary: 'Revoke one of my sessions', params: z.object({ session_id: z.string().max(64) }), response: { 204: z.undefined() } } },
    async (request, reply) => {
      const revoked = await deps.account.revokeOwnSession(operatorOf(request).session, request.params.session_id, actorOf(request));
      if (!revoked) throw new NotFoundError('No such session');
      return reply.code(204).send();
    },
  );

  r.post(
    '/api/auth/password/reset',
    { config: { ...self, allowDuringPasswordChange: true }, schema: { summary: 'Change my password', body: PasswordChangeRequestSchema, response: { 204: z.undefined() } } },
    async (request, reply) => {
      const rotated = await deps.account.changePassword(operatorOf(request).session, request.body, actorOf(request));
      setSessionCookies(reply, { ...rotated, secure: secure(request) });
      return reply.code(204).send();
    },
  );

  r.post(
    '/api/auth/recovery-codes',
    { config: { ...self, stepUp: true }, schema: { summary: 'Replace my recovery codes (old ones stop working)', response: { 200: RecoveryCodesSchema } } },
    async (request) => ({ recovery_codes: await deps.account.regenerateRecoveryCodes(operatorOf(request).session, actorOf(request)) }),
  );

  r.post('/api/auth/mfa/reset', { config: { ...self, stepUp: true }, schema: { summary: 'Remove my TOTP and recovery codes', response: { 204: z.undefined() } } }, async (request, reply) => {
    await deps.account.resetMfa(operatorOf(request).session, actorOf(request));
    return reply.code(204).send();
  });
}
