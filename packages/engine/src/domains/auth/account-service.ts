// The signed-in operator's own account (security.md §4.2, §4.4–§4.5, §5.3): profile, sessions,
// password change, recovery codes, TOTP removal.

import type { Kysely } from 'kysely';
import type { Me } from '@borealis/protocol';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { AppError, ForbiddenError, UnauthorizedError } from '../../errors';
import type { AegisService } from '../aegis/aegis-service';
import type { Actor, AuditLog } from '../audit/audit-log';
import { createUserRepository } from '../users/user-repository';
import type { PasswordHasher } from './factors/password-hasher';
import { checkPasswordPolicy } from './factors/password-policy';
import { openPasswordHash, sealPasswordHash } from './password-hash-envelope';
import { describeMe } from './me';
import type { SessionWithUser } from './sessions/session-repository';
import type { SessionService } from './sessions/session-service';
import type { SignInService } from './sign-in-service';
import { accountKey, type FailureThrottle } from './throttle';

export function createAccountService(deps: {
  db: Kysely<Database>;
  clock: Clock;
  aegis: AegisService;
  audit: AuditLog;
  hasher: PasswordHasher;
  sessions: SessionService;
  signIn: SignInService;
  throttle: FailureThrottle;
}) {
  const { db, clock, audit, sessions } = deps;
  const users = createUserRepository();
  const userOrThrow = async (id: string) => {
    const user = await users.findById(db, id);
    if (!user) throw new UnauthorizedError();
    return user;
  };

  return {
    csrfFor: sessions.csrfFor,
    secondsLeft: (session: SessionWithUser) => sessions.secondsLeft(session.absolute_expires_at),

    async me(userId: string): Promise<Me> {
      return describeMe(db, users, await userOrThrow(userId));
    },

    /** The caller's own password, for confirmations of destructive actions (counted as a sign-in failure). */
    async checkOwnPassword(userId: string, password: string, actor: Actor): Promise<boolean> {
      const user = await userOrThrow(userId);
      await deps.throttle.check(db, [{ key: accountKey(user.username), rule: 'account' }]);
      const phc = await openPasswordHash(deps.aegis, user, actor);
      const ok = phc !== null && (await deps.hasher.verify(phc, password));
      if (!ok) await deps.throttle.fail(db, accountKey(user.username), 'account');
      return ok;
    },

    async requireRecentStepUpIfTotp(session: SessionWithUser, stepUpSeconds: number): Promise<void> {
      const user = await userOrThrow(session.user_id);
      if (user.totp_enabled_at && clock.now().getTime() - session.verified_at.getTime() > stepUpSeconds * 1000) {
        throw new AppError('mfa_required', 'Confirm your second factor to continue');
      }
    },

    async usernameOf(userId: string): Promise<string> {
      return (await userOrThrow(userId)).username;
    },

    async logout(session: SessionWithUser, actor: Actor): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await sessions.revoke(trx, { id: session.id }, 'logout');
        await audit.record(trx, actor, { action: 'auth.logout' });
        await audit.record(trx, actor, { action: 'session.revoked', targetType: 'session', targetId: session.id, details: { reason: 'logout' } });
      });
    },

    async listSessions(session: SessionWithUser) {
      const rows = await sessions.list(db, session.user_id);
      return rows.map((s) => ({
        id: s.id,
        created_at: s.created_at.toISOString(),
        last_seen_at: s.last_seen_at.toISOString(),
        ip: s.ip,
        user_agent: s.user_agent,
        auth_method: s.auth_method,
        current: s.id === session.id,
      }));
    },

    /** False when the id is not one of the caller's live sessions (answered as 404). */
    async revokeOwnSession(session: SessionWithUser, targetId: string, actor: Actor): Promise<boolean> {
      if (!/^[0-9a-f-]{36}$/i.test(targetId)) return false;
      return db.transaction().execute(async (trx) => {
        const revoked = await sessions.revoke(trx, { id: targetId, userId: session.user_id }, 'user');
        if (!revoked.length) return false;
        await audit.record(trx, actor, { action: 'session.revoked', targetType: 'session', targetId, details: { reason: 'user' } });
        return true;
      });
    },

    /** Own password change: rotates this session, revokes the others (§4.2, §5.3). */
    async changePassword(session: SessionWithUser, input: { current_password: string; new_password: string }, actor: Actor) {
      const user = await userOrThrow(session.user_id);
      if (user.auth_source !== 'local') throw new ForbiddenError('Directory users change their password in the directory');
      if (!(await this.checkOwnPassword(user.id, input.current_password, actor))) {
        await audit.record(db, actor, { action: 'auth.password.changed', outcome: 'failure', details: { reason: 'invalid_credentials' } });
        throw new AppError('invalid_credentials', 'The current password is not correct');
      }
      checkPasswordPolicy(input.new_password, {
        username: user.username,
        displayName: user.display_name ?? undefined,
        currentPassword: input.current_password,
        path: 'new_password',
      });
      const fresh = await deps.hasher.hash(input.new_password);
      return db.transaction().execute(async (trx) => {
        const now = clock.now();
        await users.update(trx, user.id, {
          password_hash_enc: sealPasswordHash(deps.aegis, user.id, fresh),
          password_changed_at: now,
          password_change_required: false,
          updated_at: now,
        });
        const others = await sessions.revoke(trx, { userId: user.id, exceptId: session.id }, 'password_changed');
        const rotated = await sessions.rotate(trx, session.id);
        await audit.record(trx, actor, { action: 'auth.password.changed' });
        for (const id of others) await audit.record(trx, actor, { action: 'session.revoked', targetType: 'session', targetId: id, details: { reason: 'password_changed' } });
        return { secret: rotated.secret, csrfToken: rotated.csrfToken, maxAgeSeconds: sessions.secondsLeft(session.absolute_expires_at) };
      });
    },

    async regenerateRecoveryCodes(session: SessionWithUser, actor: Actor): Promise<string[]> {
      return db.transaction().execute(async (trx) => {
        const codes = await deps.signIn.regenerateRecoveryCodes(trx, session.user_id);
        await audit.record(trx, actor, { action: 'mfa.recovery_codes.regenerated' });
        return codes;
      });
    },

    async resetMfa(session: SessionWithUser, actor: Actor): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await users.update(trx, session.user_id, {
          totp_secret_enc: null,
          totp_enabled_at: null,
          totp_pending_secret_enc: null,
          totp_pending_expires_at: null,
          updated_at: clock.now(),
        });
        await trx.deleteFrom('user_recovery_codes').where('user_id', '=', session.user_id).execute();
        await audit.record(trx, actor, { action: 'mfa.totp.removed' });
      });
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
