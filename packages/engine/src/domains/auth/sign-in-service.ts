// Operator sign-in (security.md §4.3–§4.5, §5.4, §6): password, then a second factor behind a
// ticket; throttling before any hashing; exactly one argon2 verification per password attempt.

import type { Kysely } from 'kysely';
import type { LoginResponse, SignedIn } from '@borealis/protocol';
import type { Clock } from '../../clock';
import type { AuthMethod, Database } from '../../db/schema';
import { AppError } from '../../errors';
import type { AegisService } from '../aegis/aegis-service';
import type { Actor, AuditLog, DbExecutor } from '../audit/audit-log';
import { createUserRepository, type UserRow } from '../users/user-repository';
import type { PasswordHasher } from './factors/password-hasher';
import { generateRecoveryCodes, hashRecoveryCode, normaliseRecoveryCode } from './factors/recovery-codes';
import { matchTotp } from './factors/totp';
import { describeMe } from './me';
import { openPasswordHash, sealPasswordHash } from './password-hash-envelope';
import type { SessionService } from './sessions/session-service';
import { accountKey, addressKey, type FailureThrottle } from './throttle';
import type { Tickets } from './tickets';

export interface SignInDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly aegis: AegisService;
  readonly audit: AuditLog;
  readonly hasher: PasswordHasher;
  readonly sessions: SessionService;
  readonly tickets: Tickets;
  readonly throttle: FailureThrottle;
  /** False once an address is past the per-minute flood threshold: its failures get summarised. */
  readonly noteFailure?: (address: string) => boolean;
}

/** What a route needs to finish a sign-in: the answer body plus the cookie to set. */
export interface SignInResult {
  readonly body: SignedIn;
  readonly cookie: { secret: string; csrfToken: string; maxAgeSeconds: number };
}

export type LoginOutcome = { kind: 'signed_in'; result: SignInResult } | { kind: 'ticket'; body: LoginResponse };

const invalidCredentials = () => new AppError('invalid_credentials', 'Wrong user name or password');
const invalidCode = () => new AppError('mfa_code_invalid', 'That code is not valid');

export function createSignInService(deps: SignInDeps) {
  const { db, clock, aegis, audit, hasher, sessions, tickets, throttle } = deps;
  const users = createUserRepository();

  const passwordHash = (user: UserRow, actor: Actor) => openPasswordHash(aegis, user, actor);

  const totpSecret = (user: UserRow, actor: Actor) =>
    user.totp_secret_enc ? aegis.decrypt({ table: 'users', column: 'totp_secret_enc', rowId: user.id }, user.totp_secret_enc, actor) : null;

  async function recordFailure(actor: Actor, username: string, reason: string): Promise<void> {
    const acct = await throttle.fail(db, accountKey(username), 'account');
    const addr = actor.ip ? await throttle.fail(db, addressKey(actor.ip), 'address') : { locked: false, until: null };
    if (!actor.ip || (deps.noteFailure?.(actor.ip) ?? true)) {
      await audit.record(db, actor, { action: 'auth.login.failed', outcome: 'failure', details: { reason, username: username.slice(0, 64) } });
    }
    for (const [scope, lock] of [['account', acct], ['address', addr]] as const) {
      if (lock.locked) {
        await audit.record(db, actor, { action: 'auth.lockout', outcome: 'denied', severity: 'warning', details: { scope, until: lock.until?.toISOString() } });
      }
    }
  }

  async function startSession(trx: DbExecutor, user: UserRow, method: AuthMethod, actor: Actor, userAgent: string | undefined, extra: Partial<SignedIn> = {}): Promise<SignInResult> {
    const state = await trx.selectFrom('aegis_cipher_state').select('unlock_epoch').where('id', '=', 1).executeTakeFirstOrThrow();
    const session = await sessions.create(trx, { userId: user.id, unlockEpoch: state.unlock_epoch, authMethod: method, ip: actor.ip, userAgent });
    await users.update(trx, user.id, { last_login_at: clock.now() });
    const me = await describeMe(trx, users, user);
    const signedIn: Actor = { ...actor, type: 'user', id: user.id, name: user.username };
    await audit.record(trx, signedIn, { action: 'auth.login.succeeded', details: { method } });
    for (const id of session.evicted) await audit.record(trx, signedIn, { action: 'session.revoked', targetType: 'session', targetId: id, details: { reason: 'session_limit' } });
    return {
      body: { status: 'ok', user: me, csrf_token: session.csrfToken, ...extra },
      cookie: { secret: session.secret, csrfToken: session.csrfToken, maxAgeSeconds: sessions.secondsLeft(session.absoluteExpiresAt) },
    };
  }

  /** Checks a TOTP code or recovery code for a user; returns the method it proved. */
  async function checkSecondFactor(trx: DbExecutor, user: UserRow, input: { code?: string; recovery_code?: string }, actor: Actor): Promise<'totp' | 'recovery_code' | null> {
    if (input.code !== undefined) {
      const secret = await totpSecret(user, actor);
      const step = secret ? matchTotp({ secret, code: input.code, now: clock.now() }) : null;
      if (step !== null && (await users.claimTotpStep(trx, user.id, step))) return 'totp';
      return null;
    }
    if (input.recovery_code !== undefined) {
      const normalised = normaliseRecoveryCode(input.recovery_code);
      if (normalised && (await users.spendRecoveryCode(trx, user.id, hashRecoveryCode(normalised), clock.now()))) {
        const { recoveryCodesLeft } = await users.factorCounts(trx, user.id);
        await audit.record(trx, { ...actor, type: 'user', id: user.id, name: user.username }, { action: 'mfa.recovery_code.used', details: { remaining: recoveryCodesLeft } });
        return 'recovery_code';
      }
    }
    return null;
  }

  return {
    startSession,

    async login(input: { username: string; password: string; userAgent: string | undefined }, actor: Actor): Promise<LoginOutcome> {
      const keys: Array<{ key: string; rule: 'account' | 'address' }> = [{ key: accountKey(input.username), rule: 'account' }];
      if (actor.ip) keys.push({ key: addressKey(actor.ip), rule: 'address' });
      try {
        await throttle.check(db, keys);
      } catch (err) {
        await audit.record(db, actor, { action: 'auth.login.failed', outcome: 'denied', details: { reason: 'rate_limited', username: input.username.slice(0, 64) } });
        throw err;
      }
      const user = await users.findByUsername(db, input.username);
      const phc = user && !user.disabled_at && !user.auth_reset_required ? await passwordHash(user, actor) : null;
      const ok = phc ? await hasher.verify(phc, input.password) : (await hasher.verifyDummy(input.password), false);
      if (!user || !ok) {
        await recordFailure({ ...actor, id: user?.id ?? null }, input.username, 'invalid_credentials');
        throw invalidCredentials();
      }
      await throttle.succeed(db, accountKey(input.username));
      if (phc && hasher.needsRehash(phc)) {
        const fresh = await hasher.hash(input.password);
        await users.update(db, user.id, { password_hash_enc: sealPasswordHash(aegis, user.id, fresh) });
      }
      const counts = await users.factorCounts(db, user.id);
      const methods = [
        ...(user.totp_enabled_at ? (['totp'] as const) : []),
        ...(counts.recoveryCodesLeft > 0 ? (['recovery_code'] as const) : []),
        ...(counts.passkeys > 0 ? (['passkey'] as const) : []),
      ];
      if (methods.length) {
        const ticket = await tickets.issue(db, { userId: user.id, purpose: 'mfa', ip: actor.ip });
        return { kind: 'ticket', body: { status: 'mfa_required', pending_token: ticket.token, expires_in: ticket.expiresIn, methods } };
      }
      if (!user.mfa_exempt) {
        const ticket = await tickets.issue(db, { userId: user.id, purpose: 'mfa_setup', ip: actor.ip });
        return { kind: 'ticket', body: { status: 'mfa_setup_required', pending_token: ticket.token, expires_in: ticket.expiresIn } };
      }
      return { kind: 'signed_in', result: await db.transaction().execute((trx) => startSession(trx, user, 'password', actor, input.userAgent)) };
    },

    /** Second step of a sign-in: the ticket plus a TOTP or recovery code. */
    async verifyTicket(input: { pendingToken: string; code?: string; recovery_code?: string; userAgent: string | undefined }, actor: Actor): Promise<SignInResult> {
      const ticket = await tickets.find(db, input.pendingToken, ['mfa']);
      const user = ticket.userId ? await users.findById(db, ticket.userId) : undefined;
      if (!user || user.disabled_at) throw new AppError('invalid_token', 'This sign-in step has expired; start again');
      await throttle.check(db, [{ key: accountKey(user.username), rule: 'account' }]);
      const userActor: Actor = { ...actor, id: user.id, name: user.username };
      const result = await db.transaction().execute(async (trx) => {
        const method = await checkSecondFactor(trx, user, input, userActor);
        if (!method) return null;
        await tickets.use(trx, ticket.id);
        return startSession(trx, user, method === 'totp' ? 'password_totp' : 'password_recovery_code', actor, input.userAgent);
      });
      if (result) {
        await throttle.succeed(db, accountKey(user.username));
        return result;
      }
      const dead = await tickets.fail(db, ticket.id);
      await throttle.fail(db, accountKey(user.username), 'account');
      await audit.record(db, userActor, { action: 'mfa.failed', outcome: 'failure', details: { reason: dead ? 'ticket_exhausted' : 'wrong_code' } });
      throw invalidCode();
    },

    /** Step-up for a signed-in session (security.md §5.4): refreshes verified_at and rotates the cookie. */
    async stepUp(input: { sessionId: string; userId: string; code?: string; recovery_code?: string; password?: string }, actor: Actor) {
      const user = await users.findById(db, input.userId);
      if (!user) throw new AppError('unauthorized', 'Sign in first');
      await throttle.check(db, [{ key: accountKey(user.username), rule: 'account' }]);
      const counts = await users.factorCounts(db, user.id);
      const hasFactor = user.totp_enabled_at !== null || counts.recoveryCodesLeft > 0 || counts.passkeys > 0;
      const rotated = await db.transaction().execute(async (trx) => {
        let method: string | null = null;
        if (input.password !== undefined && !hasFactor) {
          const phc = await passwordHash(user, actor);
          method = phc && (await hasher.verify(phc, input.password)) ? 'password' : null;
        } else if (input.password === undefined) {
          method = await checkSecondFactor(trx, user, input, actor);
        }
        if (!method) return null;
        await audit.record(trx, actor, { action: 'auth.step_up', details: { method } });
        return sessions.rotate(trx, input.sessionId, { verified: true });
      });
      if (!rotated) {
        await throttle.fail(db, accountKey(user.username), 'account');
        await audit.record(db, actor, { action: 'mfa.failed', outcome: 'failure', details: { reason: 'wrong_code' } });
        throw input.password !== undefined ? invalidCredentials() : invalidCode();
      }
      return rotated;
    },

    /** New recovery codes for a user (display form returned once). */
    async regenerateRecoveryCodes(trx: DbExecutor, userId: string): Promise<string[]> {
      const { codes, hashes } = generateRecoveryCodes();
      await users.replaceRecoveryCodes(trx, userId, hashes, clock.now());
      return codes;
    },
  };
}

export type SignInService = ReturnType<typeof createSignInService>;
