// Every query on operator_sessions.

import { sql } from 'kysely';
import type { DbExecutor } from '../../audit/audit-log';
import type { OperatorSessionsTable, RevokeReason, Role } from '../../../db/schema';
import type { Insertable } from 'kysely';

export interface SessionWithUser {
  readonly id: string;
  readonly user_id: string;
  readonly unlock_epoch: string;
  readonly auth_method: OperatorSessionsTable['auth_method'];
  readonly verified_at: Date;
  readonly last_seen_at: Date;
  readonly idle_expires_at: Date;
  readonly absolute_expires_at: Date;
  readonly revoked_at: Date | null;
  readonly username: string;
  readonly display_name: string | null;
  readonly role: Role;
  readonly disabled_at: Date | null;
  readonly password_change_required: boolean;
}

export function createSessionRepository() {
  return {
    async insert(db: DbExecutor, row: Insertable<OperatorSessionsTable>): Promise<void> {
      await db.insertInto('operator_sessions').values(row).execute();
    },

    async findBySecretHash(db: DbExecutor, hash: Buffer): Promise<SessionWithUser | undefined> {
      return db
        .selectFrom('operator_sessions as s')
        .innerJoin('users as u', 'u.id', 's.user_id')
        .select([
          's.id',
          's.user_id',
          's.unlock_epoch',
          's.auth_method',
          's.verified_at',
          's.last_seen_at',
          's.idle_expires_at',
          's.absolute_expires_at',
          's.revoked_at',
          'u.username',
          'u.display_name',
          'u.role',
          'u.disabled_at',
          'u.password_change_required',
        ])
        .where('s.secret_hash', '=', hash)
        .executeTakeFirst();
    },

    async touch(db: DbExecutor, id: string, now: Date, idleExpiresAt: Date): Promise<void> {
      await db.updateTable('operator_sessions').set({ last_seen_at: now, idle_expires_at: idleExpiresAt }).where('id', '=', id).execute();
    },

    async replaceSecret(db: DbExecutor, id: string, hash: Buffer, verifiedAt?: Date): Promise<void> {
      await db
        .updateTable('operator_sessions')
        .set({ secret_hash: hash, ...(verifiedAt ? { verified_at: verifiedAt } : {}) })
        .where('id', '=', id)
        .execute();
    },

    async revoke(db: DbExecutor, where: { id?: string; ids?: readonly string[]; userId?: string; exceptId?: string }, now: Date, reason: RevokeReason): Promise<string[]> {
      if (where.ids && where.ids.length === 0) return [];
      let q = db.updateTable('operator_sessions').set({ revoked_at: now, revoke_reason: reason }).where('revoked_at', 'is', null);
      if (where.id) q = q.where('id', '=', where.id);
      if (where.ids) q = q.where('id', 'in', [...where.ids]);
      if (where.userId) q = q.where('user_id', '=', where.userId);
      if (where.exceptId) q = q.where('id', '<>', where.exceptId);
      const rows = await q.returning('id').execute();
      return rows.map((r) => r.id);
    },

    async listLive(db: DbExecutor, userId: string, now: Date) {
      return db
        .selectFrom('operator_sessions')
        .select(['id', 'created_at', 'last_seen_at', 'ip', 'user_agent', 'auth_method'])
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where('idle_expires_at', '>', now)
        .where('absolute_expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .execute();
    },

    /** Live sessions beyond the newest `keep`, oldest first. */
    async oldestBeyond(db: DbExecutor, userId: string, keep: number, now: Date): Promise<string[]> {
      const rows = await db
        .selectFrom('operator_sessions')
        .select('id')
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where('absolute_expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .offset(keep)
        .limit(1000)
        .execute();
      return rows.map((r) => r.id);
    },

    async deleteEndedBefore(db: DbExecutor, cutoff: Date): Promise<number> {
      const result = await db
        .deleteFrom('operator_sessions')
        .where(sql<boolean>`coalesce(revoked_at, absolute_expires_at) < ${cutoff}`)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type SessionRepository = ReturnType<typeof createSessionRepository>;
