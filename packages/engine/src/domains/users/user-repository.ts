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

    /** Every user, by lower-cased username. */
    listAll(db: DbExecutor) {
      return db.selectFrom('users').selectAll().orderBy(sql`lower(username)`).orderBy('id').execute();
    },

    findByUsernames(db: DbExecutor, usernames: readonly string[]) {
      if (usernames.length === 0) return Promise.resolve([]);
      const lowered = [...new Set(usernames.map((u) => u.toLowerCase()))];
      return db.selectFrom('users').select(['id', 'username']).where(sql<string>`lower(username)`, 'in', lowered).execute();
    },

    /** The row, locked until the transaction ends, so concurrent admin changes queue. */
    lockByUsername(db: DbExecutor, username: string) {
      return db.selectFrom('users').selectAll().where(sql<string>`lower(username)`, '=', username.toLowerCase()).forNoKeyUpdate().executeTakeFirst();
    },

    /**
     * Ids of the enabled admins, locked: two admins demoting or deleting each other at once must
     * not leave the engine without one (security.md §4.1, S30).
     */
    async lockActiveAdminIds(db: DbExecutor): Promise<string[]> {
      const rows = await db.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled_at', 'is', null).orderBy('id').forNoKeyUpdate().execute();
      return rows.map((r) => r.id);
    },

    async delete(db: DbExecutor, id: string): Promise<void> {
      await db.deleteFrom('users').where('id', '=', id).execute();
    },

    /** Removes TOTP (enrolled and pending), recovery codes and passkeys. */
    async removeSecondFactors(db: DbExecutor, id: string, now: Date): Promise<void> {
      await db
        .updateTable('users')
        .set({ totp_secret_enc: null, totp_enabled_at: null, totp_pending_secret_enc: null, totp_pending_expires_at: null, totp_last_step: null, updated_at: now })
        .where('id', '=', id)
        .execute();
      await db.deleteFrom('user_recovery_codes').where('user_id', '=', id).execute();
      await db.deleteFrom('user_passkeys').where('user_id', '=', id).execute();
    },

    /** Unused recovery codes and passkeys per user, for many users in two queries. */
    async factorCountsFor(db: DbExecutor, userIds: readonly string[]): Promise<Map<string, { recoveryCodesLeft: number; passkeys: number }>> {
      const counts = new Map(userIds.map((id) => [id, { recoveryCodesLeft: 0, passkeys: 0 }]));
      if (userIds.length === 0) return counts;
      const ids = [...userIds];
      const codes = await db
        .selectFrom('user_recovery_codes')
        .select(['user_id', (eb) => eb.fn.countAll<string>().as('n')])
        .where('user_id', 'in', ids)
        .where('used_at', 'is', null)
        .groupBy('user_id')
        .execute();
      const passkeys = await db
        .selectFrom('user_passkeys')
        .select(['user_id', (eb) => eb.fn.countAll<string>().as('n')])
        .where('user_id', 'in', ids)
        .groupBy('user_id')
        .execute();
      for (const r of codes) counts.get(r.user_id)!.recoveryCodesLeft = Number(r.n);
      for (const r of passkeys) counts.get(r.user_id)!.passkeys = Number(r.n);
      return counts;
    },

    async siteIds(db: DbExecutor, userId: string): Promise<number[]> {
      const rows = await db.selectFrom('user_site_assignments').select('site_id').where('user_id', '=', userId).orderBy('site_id').execute();
      return rows.map((r) => r.site_id);
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
export type UserRow = NonNullable<Awaited<ReturnType<UserRepository['findById']>>>;
