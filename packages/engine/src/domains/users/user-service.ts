// User administration (security.md §4.1, §5.3, §9.2): create, delete, password reset, role and
// MFA changes, session revocation. Each change and its audit rows share one transaction.

import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { CreateUserRequest, MfaAction, User } from '@borealis/protocol';
import type { Clock } from '../../clock';
import type { Database, Role } from '../../db/schema';
import { ConflictError, ForbiddenError } from '../../errors';
import type { AegisService } from '../aegis/aegis-service';
import type { Actor, AuditLog, DbExecutor } from '../audit/audit-log';
import type { PasswordHasher } from '../auth/factors/password-hasher';
import { checkPasswordPolicy } from '../auth/factors/password-policy';
import { sealPasswordHash } from '../auth/password-hash-envelope';
import type { SessionService } from '../auth/sessions/session-service';
import { describeUsers } from './describe-user';
import { createSiteAssignmentRepository } from './site-assignment-repository';
import { createUserRepository, type UserRow } from './user-repository';
import { isUniqueViolation, userNotFound } from './user-errors';

export interface UserServiceDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly aegis: AegisService;
  readonly audit: AuditLog;
  readonly hasher: PasswordHasher;
  readonly sessions: SessionService;
}

export function createUserService(deps: UserServiceDeps) {
  const { db, clock, audit, sessions } = deps;
  const users = createUserRepository();
  const repos = { users, assignments: createSiteAssignmentRepository() };

  const describe = async (executor: DbExecutor, id: string): Promise<User> => {
    const row = await users.findById(executor, id);
    if (!row) throw new Error(`user ${id} vanished inside its own transaction`);
    const [user] = await describeUsers(executor, repos, [row]);
    return user!;
  };

  const lockOrThrow = async (trx: DbExecutor, username: string): Promise<UserRow> => {
    const row = await users.lockByUsername(trx, username);
    if (!row) throw userNotFound();
    return row;
  };

  /** Refuses to remove the last enabled admin. Call before locking the target (lock order). */
  const lockAdmins = (trx: DbExecutor) => users.lockActiveAdminIds(trx);
  const assertNotLastAdmin = (admins: readonly string[], target: UserRow, doing: string) => {
    if (target.role === 'admin' && target.disabled_at === null && admins.length <= 1 && admins.includes(target.id)) {
      throw new ConflictError(`${target.username} is the last admin; make another admin before you ${doing}`, 'last_admin');
    }
  };

  /** Revokes every session of the user (`admin_action`), one `session.revoked` row each. */
  const revokeSessions = async (trx: DbExecutor, actor: Actor, userId: string): Promise<number> => {
    const ids = await sessions.revoke(trx, { userId }, 'admin_action');
    for (const id of ids) {
      await audit.record(trx, actor, { action: 'session.revoked', targetType: 'session', targetId: id, details: { reason: 'admin_action', user_id: userId } });
    }
    return ids.length;
  };

  const hashFor = async (password: string, user: { id: string; username: string; displayName: string | null }) => {
    checkPasswordPolicy(password, { username: user.username, displayName: user.displayName });
    const phc = await deps.hasher.hash(password);
    return sealPasswordHash(deps.aegis, user.id, phc);
  };

  return {
    async list(): Promise<User[]> {
      return describeUsers(db, repos, await users.listAll(db));
    },

    async create(input: CreateUserRequest, actor: Actor): Promise<User> {
      const taken = () => new ConflictError(`A user named ${input.username} already exists`);
      // Checked before hashing so a taken name costs no argon2 work; checked again below for races.
      if (await users.findByUsername(db, input.username)) throw taken();
      const id = uuidv7();
      const displayName = input.display_name ? input.display_name : null;
      const passwordHashEnc = await hashFor(input.password, { id, username: input.username, displayName });
      return db.transaction().execute(async (trx) => {
        if (await users.findByUsername(trx, input.username)) throw taken();
        const now = clock.now();
        try {
          await users.insert(trx, {
            id,
            username: input.username,
            display_name: displayName,
            role: input.role,
            password_hash_enc: passwordHashEnc,
            password_changed_at: now,
            password_change_required: input.require_password_change ?? true,
            created_at: now,
            updated_at: now,
          });
        } catch (err) {
          if (isUniqueViolation(err)) throw taken();
          throw err;
        }
        await audit.record(trx, actor, { action: 'user.created', targetType: 'user', targetId: id, details: { username: input.username, role: input.role } });
        return describe(trx, id);
      });
    },

    async remove(username: string, actor: Actor): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const admins = await lockAdmins(trx);
        const target = await lockOrThrow(trx, username);
        // The last-admin rule first, so deleting the only admin answers last_admin (S30).
        assertNotLastAdmin(admins, target, 'delete it');
        if (target.id === actor.id) throw new ConflictError('You cannot delete your own account');
        await revokeSessions(trx, actor, target.id);
        await users.delete(trx, target.id);
        await audit.record(trx, actor, { action: 'user.deleted', targetType: 'user', targetId: target.id, details: { username: target.username, role: target.role } });
      });
    },

    async resetPassword(username: string, input: { password: string; reset_mfa?: boolean }, actor: Actor): Promise<User> {
      const before = await users.findByUsername(db, username);
      if (!before) throw userNotFound();
      if (before.auth_source !== 'local') throw new ForbiddenError('Directory users get their password from the directory');
      const passwordHashEnc = await hashFor(input.password, { id: before.id, username: before.username, displayName: before.display_name });
      const resetMfa = input.reset_mfa ?? false;
      return db.transaction().execute(async (trx) => {
        const target = await lockOrThrow(trx, username);
        // The hash is bound to the row id; a user deleted and re-created meanwhile is someone else.
        if (target.id !== before.id) throw userNotFound();
        const now = clock.now();
        await users.update(trx, target.id, {
          password_hash_enc: passwordHashEnc,
          password_changed_at: now,
          password_change_required: true,
          auth_reset_required: false,
          updated_at: now,
        });
        if (resetMfa) await users.removeSecondFactors(trx, target.id, now);
        await revokeSessions(trx, actor, target.id);
        await audit.record(trx, actor, { action: 'user.password_reset', targetType: 'user', targetId: target.id, details: { username: target.username, reset_mfa: resetMfa } });
        return describe(trx, target.id);
      });
    },

    async changeRole(username: string, role: Role, actor: Actor): Promise<User> {
      return db.transaction().execute(async (trx) => {
        const admins = await lockAdmins(trx);
        const target = await lockOrThrow(trx, username);
        if (target.role === role) return describe(trx, target.id);
        assertNotLastAdmin(admins, target, 'change its role');
        await users.update(trx, target.id, { role, updated_at: clock.now() });
        await revokeSessions(trx, actor, target.id);
        await audit.record(trx, actor, {
          action: 'user.role_changed',
          targetType: 'user',
          targetId: target.id,
          details: { username: target.username, from: target.role, to: role },
        });
        return describe(trx, target.id);
      });
    },

    async changeMfa(username: string, action: MfaAction, actor: Actor): Promise<User> {
      return db.transaction().execute(async (trx) => {
        const target = await lockOrThrow(trx, username);
        const now = clock.now();
        if (action === 'reset') await users.removeSecondFactors(trx, target.id, now);
        else await users.update(trx, target.id, { mfa_exempt: action === 'exempt', updated_at: now });
        await revokeSessions(trx, actor, target.id);
        await audit.record(trx, actor, { action: 'user.mfa_changed', targetType: 'user', targetId: target.id, details: { username: target.username, action } });
        return describe(trx, target.id);
      });
    },

    async revokeAllSessions(username: string, actor: Actor): Promise<number> {
      return db.transaction().execute(async (trx) => {
        const target = await lockOrThrow(trx, username);
        const count = await revokeSessions(trx, actor, target.id);
        await audit.record(trx, actor, { action: 'user.sessions_revoked', targetType: 'user', targetId: target.id, details: { username: target.username, count } });
        return count;
      });
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
