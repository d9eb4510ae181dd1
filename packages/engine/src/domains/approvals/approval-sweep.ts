// The 10-minute approval sweep (agent-protocol §2.2, data-model.md §5): live rows past their expiry
// become `expired`; terminal rows and wrong-code records go 30 days later, in batches by primary key.

import type { DbExecutor } from '../audit/audit-log';

export const SWEEP_INTERVAL_MS = 10 * 60_000;
const RETENTION_MS = 30 * 24 * 60 * 60_000;
const BATCH = 5000;

export interface ApprovalSweepResult {
  readonly expired: number;
  readonly deleted: number;
  readonly failuresDeleted: number;
}

export async function sweepApprovals(db: DbExecutor, now: Date): Promise<ApprovalSweepResult> {
  // Pending rows carry min(last activity + 24 h, created + 30 d); approved rows decision + 24 h.
  const expired = await db
    .updateTable('device_approvals')
    .set({ status: 'expired', updated_at: now })
    .where('status', 'in', ['pending', 'approved'])
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  const cutoff = new Date(now.getTime() - RETENTION_MS);
  let deleted = 0;
  for (;;) {
    const ids = db
      .selectFrom('device_approvals')
      .select('id')
      .where('status', 'in', ['denied', 'expired', 'completed'])
      .where('updated_at', '<', cutoff)
      .limit(BATCH);
    const n = Number((await db.deleteFrom('device_approvals').where('id', 'in', ids).executeTakeFirst()).numDeletedRows);
    deleted += n;
    if (n < BATCH) break;
  }
  let failuresDeleted = 0;
  for (;;) {
    const ids = db.selectFrom('enrollment_code_failures').select('id').where('last_seen_at', '<', cutoff).limit(BATCH);
    const n = Number((await db.deleteFrom('enrollment_code_failures').where('id', 'in', ids).executeTakeFirst()).numDeletedRows);
    failuresDeleted += n;
    if (n < BATCH) break;
  }
  return { expired: Number(expired.numUpdatedRows), deleted, failuresDeleted };
}
