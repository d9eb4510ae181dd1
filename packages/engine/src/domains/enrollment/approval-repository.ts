// Every query on `device_approvals` and `enrollment_code_failures` (data-model.md §3 (d)).

import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { DeviceApprovalsTable } from '../../db/schema';
import type { DbExecutor } from '../audit/audit-log';

export type ApprovalRow = Selectable<DeviceApprovalsTable>;

export function createApprovalRepository() {
  return {
    findByReference(db: DbExecutor, reference: string) {
      return db.selectFrom('device_approvals').selectAll().where('approval_reference', '=', reference).executeTakeFirst();
    },

    /** Locks the row for a decision or a finalize. */
    findByIdForUpdate(db: DbExecutor, id: string) {
      return db.selectFrom('device_approvals').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    },

    /** findByIdForUpdate plus its site's name (null when the site is gone), for finalize in one round trip. */
    findByIdForUpdateWithSite(db: DbExecutor, id: string) {
      return db
        .selectFrom('device_approvals')
        .leftJoin('sites', 'sites.id', 'device_approvals.site_id')
        .selectAll('device_approvals')
        .select('sites.name as site_name')
        .where('device_approvals.id', '=', id)
        .forUpdate('device_approvals')
        .executeTakeFirst();
    },

    findPendingByFingerprintForUpdate(db: DbExecutor, fingerprint: string) {
      return db
        .selectFrom('device_approvals')
        .selectAll()
        .where('ssl_key_fingerprint_claimed', '=', fingerprint)
        .where('status', '=', 'pending')
        .forUpdate()
        .executeTakeFirst();
    },

    async insert(db: DbExecutor, row: Insertable<DeviceApprovalsTable>): Promise<ApprovalRow> {
      return db.insertInto('device_approvals').values(row).returningAll().executeTakeFirstOrThrow();
    },

    async update(db: DbExecutor, id: string, changes: Updateable<DeviceApprovalsTable>): Promise<ApprovalRow> {
      return db.updateTable('device_approvals').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    },

    /** Pending rows among `siteIds` (null = every row, site-less included). */
    async countPending(db: DbExecutor, siteIds: readonly number[] | null = null): Promise<number> {
      let q = db.selectFrom('device_approvals').select(sql<string>`count(*)`.as('n')).where('status', '=', 'pending');
      if (siteIds !== null) q = siteIds.length ? q.where('site_id', 'in', [...siteIds]) : q.where(sql.lit(false));
      const row = await q.executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** One row per fingerprint: a repeat bumps the count and the last seen fields. */
    async recordWrongCode(
      db: DbExecutor,
      input: { fingerprint: string; hostname: string; mask: string; remoteAddr: string; error: string; now: Date },
    ): Promise<void> {
      await db
        .insertInto('enrollment_code_failures')
        .values({
          ssl_key_fingerprint_claimed: input.fingerprint,
          hostname_claimed: input.hostname,
          enrollment_code_mask: input.mask,
          remote_addr: input.remoteAddr,
          attempt_count: 1,
          first_seen_at: input.now,
          last_seen_at: input.now,
          last_error: input.error,
        })
        .onConflict((oc) =>
          oc.column('ssl_key_fingerprint_claimed').doUpdateSet({
            hostname_claimed: input.hostname,
            enrollment_code_mask: input.mask,
            remote_addr: input.remoteAddr,
            attempt_count: sql<number>`enrollment_code_failures.attempt_count + 1`,
            last_seen_at: input.now,
            last_error: input.error,
          }),
        )
        .execute();
    },
  };
}

export type ApprovalRepository = ReturnType<typeof createApprovalRepository>;
