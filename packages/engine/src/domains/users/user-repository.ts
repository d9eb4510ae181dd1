// Every query on users and the per-user factor tables it owns (recovery codes, site assignments).

import { sql, type Insertable, type Updateable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { UsersTable } from '../../db/schema';
import type { DbExecutor } from '../audit/audit-log';

export function createUserRepository() {
  return {
    findByUsername(db: DbExecutor, username: string) {
      return db.selectFrom('users').selectAll().where(sql<string>`lower(username)`, '=', username.toLowerCase()).executeTakeFirst();
    },

    findById(db: DbExecutor, id: string) {
      return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async insert(db: DbExecutor, row: Insertable<UsersTable>): Promise<void> {
      await db.insertInto('users').values(row).execute();
    },

    async update(db: DbExecutor, id: string, changes: Updateable<UsersTable>): Promise<void> {
      await db.updateTable('users').set(changes).where('id', '=', id).execute();
    },

    /** Replay protection: only a step newer than the last accepted one wins (security.md §4.4). */
    async claimTotpStep(db: DbExecutor, id: string, step: number): Promise<boolean> {
      const result = await db
        .updateTable('users')
        .set({ totp_last_step: step })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async replaceRecoveryCodes(db: DbExecutor, userId: string, hashes: readonly Buffer[], now: Date): Promise<void> {
      await db.deleteFrom('user_recovery_codes').where('user_id', '=', userId).execute();
      await db
        .insertInto('user_recovery_codes')
        .values(hashes.map((code_hash) => ({ id: uuidv7(), user_id: userId, code_hash, created_at: now })))
        .execute();
    },

    async spendRecoveryCode(db: DbExecutor, userId: string, hash: Buffer, now: Date): Promise<boolean> {
      const result = await db
        .updateTable('user_recovery_codes')
        .set({ used_at: now })
        .where('user_id', '=', userId)
        .where('code_hash', '=', hash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async factorCounts(db: DbExecutor, userId: string): Promise<{ recoveryCodesLeft: number; passkeys: number }> {
      const { rows } = await sql<{ codes: number; passkeys: number }>`
        SELECT (SELECT count(*)::int FROM user_recovery_codes WHERE user_id = ${userId} AND used_at IS NULL) AS codes,
               (SELECT count(*)::int FROM user_passkeys WHERE user_id = ${userId}) AS passkeys`.execute(db);
      return { recoveryCodesLeft: rows[0]?.codes ?? 0, passkeys: rows[0]?.passkeys ?? 0 };
    },

    async siteIds(db: DbExecutor, userId: string): Promise<number[]> {
      const rows = await db.selectFrom('user_site_assignments').select('site_id').where('user_id', '=', userId).orderBy('site_id').execute();
      return rows.map((r) => r.site_id);
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
export type UserRow = NonNullable<Awaited<ReturnType<UserRepository['findById']>>>;
