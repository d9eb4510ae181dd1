// Central enforcement of what routes declare (security.md §7.3), before validation so nobody
// learns anything from a route they may not use. Order: Origin → gate (423) → session (401) →
// CSRF token (403) → forced password change (423) → permission (403) → step-up (401).

import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { Actor } from '../domains/audit/audit-log';
import { roleHas, SENSITIVE_PERMISSIONS } from '../domains/auth/permissions';
import type { SessionWithUser } from '../domains/auth/sessions/session-repository';
import type { SessionService } from '../domains/auth/sessions/session-service';
import { addressKey, type RequestBudgets } from '../domains/auth/throttle';
import type { Gate, GateState } from '../domains/bootstrap/gate';
import { AppError, ForbiddenError, LockedError, UnauthorizedError } from '../errors';
import { assertBodyNamesDevice, type AuthenticatedDevice, type DeviceAuthenticator } from '../domains/agent/device-authenticator';
import { DeviceAuthError } from '../domains/agent/device-auth-error';
import { CSRF_COOKIE, parseCookies, serializeCookie, SESSION_COOKIE } from './cookies';

export interface OperatorContext {
  readonly session: SessionWithUser;
  /** The cookie secret (needed to rotate or derive the CSRF token). */
  readonly secret: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    operator?: OperatorContext;
    gateState?: GateState;
    /** Set on `device` routes once agent-protocol §3.3 passed. */
    device?: AuthenticatedDevice;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AccessControlDeps {
  readonly db: Kysely<Database>;
  readonly gate: Gate;
  readonly sessions: SessionService;
  readonly clock: Clock;
  readonly publicUrl: string | undefined;
  readonly budgets: RequestBudgets;
  readonly stepUpSeconds?: number;
  /** Device request authentication (agent-protocol §3.3) for routes of auth class `device`. */
  readonly deviceAuth?: DeviceAuthenticator;
}

const BUDGETS = { bootstrap: 10, sign_in: 30 } as const;
const OPERATOR_BUDGET = 600;

export function installAccessControl(app: FastifyInstance, deps: AccessControlDeps): void {
  const stepUpMs = (deps.stepUpSeconds ?? 900) * 1000;
  app.addHook('preValidation', async (request, reply) => {
    const cfg = request.routeOptions.config;
    if (!cfg?.auth) return;
    const unsafe = !SAFE_METHODS.has(request.method);
    if (unsafe && isForeignOrigin(request.headers, deps.publicUrl)) {
      throw new AppError('csrf_failed', 'Cross-site request refused');
    }
    if (cfg.rateLimit) deps.budgets.take(addressKey(request.ip, cfg.rateLimit), BUDGETS[cfg.rateLimit]);
    if (cfg.auth === 'none') {
      if (cfg.gated) await requireOpenGate(request, deps);
      return;
    }
    if (cfg.auth === 'device') {
      if (!deps.deviceAuth) throw new AppError('unavailable', 'Device authentication is not available on this node');
      try {
        const device = await deps.deviceAuth.authenticate({ method: request.method, path: request.url, headers: request.headers, isRest: true });
        assertBodyNamesDevice(device, request.body);
        request.device = device;
      } catch (err) {
        if (err instanceof DeviceAuthError) for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
        throw err;
      }
      return;
    }
    if (cfg.auth !== 'operator' && cfg.auth !== 'operator-admin') return;

    const gate = await requireOpenGate(request, deps);
    const body = request.body as { pending_token?: unknown } | undefined;
    // Ticket routes (mfa verify, TOTP setup/confirm) validate the ticket themselves.
    if (cfg.ticket && typeof body?.pending_token === 'string') return;

    const secret = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
    const session = secret
      ? await deps.sessions.authenticate(deps.db, secret, {
          unlockEpoch: gate.unlockEpoch ?? '',
          background: request.headers['x-borealis-background'] === '1',
        })
      : null;
    if (!secret || !session) {
      if (secret) clearSessionCookies(reply, isSecureRequest(request, deps.publicUrl));
      throw new UnauthorizedError('Sign in first');
    }
    // api.md: 600 operator API requests per minute per session.
    deps.budgets.take(`session:${session.id}`, OPERATOR_BUDGET);
    if (unsafe && !deps.sessions.csrfMatches(secret, headerValue(request, 'x-csrf-token'))) {
      throw new AppError('csrf_failed', 'Missing or wrong X-CSRF-Token header; reload the page');
    }
    if (session.password_change_required && !cfg.allowDuringPasswordChange) {
      throw new LockedError('auth_reset_required', 'Change your password before continuing');
    }
    const permission = cfg.permission ?? 'public';
    if (!roleHas(session.role, permission)) throw new ForbiddenError();
    if ((cfg.stepUp || SENSITIVE_PERMISSIONS.has(permission)) && deps.clock.now().getTime() - session.verified_at.getTime() > stepUpMs) {
      throw new AppError('mfa_required', 'Confirm your second factor to continue');
    }
    request.operator = { session, secret };
  });
}

async function requireOpenGate(request: FastifyRequest, deps: AccessControlDeps): Promise<GateState> {
  const gate = await deps.gate.state(deps.db);
  request.gateState = gate;
  if (gate.phase !== 'login_required') {
    throw new LockedError('bootstrap_required', `The engine is not ready for sign-in (${gate.phase})`, gate.phase);
  }
  return gate;
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * An unsafe request (or a socket handshake) from another site (security.md §5.2): a cross-site
 * Sec-Fetch-Site, or an Origin that is neither this Host nor the public URL's host.
 */
export function isForeignOrigin(headers: IncomingHttpHeaders, publicUrl: string | undefined): boolean {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  if (first(headers['sec-fetch-site']) === 'cross-site') return true;
  const origin = first(headers.origin);
  if (!origin) return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return true;
  }
  const allowed = new Set<string>();
  if (headers.host) allowed.add(headers.host.toLowerCase());
  if (publicUrl) allowed.add(new URL(publicUrl).host.toLowerCase());
  return !allowed.has(originHost);
}

export function isSecureRequest(request: FastifyRequest, publicUrl: string | undefined): boolean {
  return request.protocol === 'https' || Boolean(publicUrl?.startsWith('https://'));
}

export function setSessionCookies(reply: FastifyReply, input: { secret: string; csrfToken: string; maxAgeSeconds: number; secure: boolean }): void {
  reply.header('set-cookie', [
    serializeCookie(SESSION_COOKIE, input.secret, { maxAgeSeconds: input.maxAgeSeconds, httpOnly: true, secure: input.secure }),
    serializeCookie(CSRF_COOKIE, input.csrfToken, { maxAgeSeconds: input.maxAgeSeconds, httpOnly: false, secure: input.secure }),
  ]);
}

export function clearSessionCookies(reply: FastifyReply, secure: boolean): void {
  reply.header('set-cookie', [
    serializeCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, httpOnly: true, secure }),
    serializeCookie(CSRF_COOKIE, '', { maxAgeSeconds: 0, httpOnly: false, secure }),
  ]);
}

/** The audit actor for a request: the signed-in operator, or anonymous. */
export function actorOf(request: FastifyRequest, fallbackName: string | null = null): Actor {
  const session = request.operator?.session;
  return {
    type: session ? 'user' : 'anonymous',
    id: session?.user_id ?? null,
    name: session?.username ?? fallbackName,
    ip: request.ip ?? null,
    requestId: request.id,
  };
}
