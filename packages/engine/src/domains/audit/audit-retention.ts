// The audit trail's retention sweep (security.md §9.1, data-model.md §5): rows older than
// BOREALIS_AUDIT_RETENTION_DAYS go in batches of 10,000, each its own short statement. The
// scheduler runs it daily.

import type { Kysely } from 'kysely';
import { MIN_AUDIT_RETENTION_DAYS } from '../../config';
import type { Database } from '../../db/schema';
import { createAuditRepository } from './audit-repository';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface AuditSweepOptions {
  readonly now: Date;
  readonly retentionDays: number;
  readonly batchSize?: number;
}

/** Deletes every row older than `retentionDays` before `now`; returns how many went. */
export async function sweepAuditEvents(db: Kysely<Database>, options: AuditSweepOptions): Promise<number> {
  const { now, retentionDays, batchSize = 10_000 } = options;
  // The append-only trigger refuses younger rows; failing here names the cause instead.
  if (!Number.isInteger(retentionDays) || retentionDays < MIN_AUDIT_RETENTION_DAYS) {
    throw new RangeError(`audit retention must be a whole number of days, at least ${MIN_AUDIT_RETENTION_DAYS} (got ${retentionDays})`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer (got ${batchSize})`);
  const repo = createAuditRepository();
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  let total = 0;
  for (;;) {
    const deleted = await repo.deleteBatchOlderThan(db, cutoff, batchSize);
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
