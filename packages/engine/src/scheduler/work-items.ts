// Work items (automation.md §4.2, data-model.md §6): enqueue once per dedupe key, claim in one
// statement with FOR UPDATE SKIP LOCKED, renew and finish under the fence lease_owner +
// attempt_count, and requeue leases that expired with their holder.

import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema';
import type { DbExecutor } from '../domains/audit/audit-log';

export type WorkKind = 'occurrence_materialize' | 'scheduled_run' | 'retention_sweep';
export type WorkLane = 'scheduler' | 'scheduled_job' | 'maintenance';

export const WORK_KINDS: Record<WorkKind, { lane: WorkLane; priority: number }> = {
  occurrence_materialize: { lane: 'scheduler', priority: 70 },
  scheduled_run: { lane: 'scheduled_job', priority: 40 },
  retention_sweep: { lane: 'maintenance', priority: 10 },
};

/** The work-item site of the manager lane (and of devices without a site). */
export const MANAGER_SITE = 0;

export interface EnqueueItem {
  readonly kind: WorkKind;
  readonly dedupeKey: string;
  readonly siteId: number;
  readonly jobId?: number | null;
  readonly runId?: string | null;
  readonly payload: Record<string, unknown>;
  readonly availableAt: Date;
  readonly maxAttempts?: number;
}

export interface ClaimedItem {
  readonly id: string;
  readonly kind: WorkKind;
  readonly siteId: number;
  readonly jobId: number | null;
  readonly payload: Record<string, unknown>;
  readonly attempt: number;
  readonly maxAttempts: number;
}

/** Who holds a lease: the fence every write under it carries. */
export interface Lease {
  readonly itemId: string;
  readonly owner: string;
  readonly attempt: number;
}

/** Inserts unless the key exists (in any status): a key never re-queues while its row exists. */
export async function enqueueWorkItem(db: DbExecutor, item: EnqueueItem): Promise<boolean> {
  const { lane, priority } = WORK_KINDS[item.kind];
  const result = await db
    .insertInto('job_scheduler_work_items')
    .values({
      dedupe_key: item.dedupeKey,
      kind: item.kind,
      lane,
      site_id: item.siteId,
      job_id: item.jobId ?? null,
      run_id: item.runId ?? null,
      payload_json: JSON.stringify(item.payload),
      status: 'queued',
      priority,
      max_attempts: item.maxAttempts ?? 5,
      available_at: item.availableAt,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Claims the best queued item of a site and lanes, or null; one statement, SKIP LOCKED. */
export async function claimWorkItem(
  db: Kysely<Database>,
  who: { owner: string; workerGuid: string; siteId: number; lanes: readonly WorkLane[] },
  now: Date,
  leaseSeconds: number,
): Promise<ClaimedItem | null> {
  const expires = new Date(now.getTime() + leaseSeconds * 1000);
  const lanes = sql.join(who.lanes.map((l) => sql`${l}`));
  const { rows } = await sql<{ id: string; kind: WorkKind; site_id: number; job_id: number | null; payload_json: Record<string, unknown>; attempt_count: number; max_attempts: number }>`
    UPDATE job_scheduler_work_items SET
      status = 'running', lease_owner = ${who.owner}, worker_guid = ${who.workerGuid},
      lease_expires_at = ${expires}, heartbeat_at = ${now}, attempt_count = attempt_count + 1, updated_at = ${now}
    WHERE id = (
      SELECT id FROM job_scheduler_work_items
      WHERE status = 'queued' AND site_id = ${who.siteId} AND lane IN (${lanes}) AND available_at <= ${now}
      ORDER BY priority DESC, available_at, id
      LIMIT 1 FOR UPDATE SKIP LOCKED
    )
    RETURNING id, kind, site_id, job_id, payload_json, attempt_count, max_attempts`.execute(db);
  const row = rows[0];
  if (!row) return null;
  return { id: String(row.id), kind: row.kind, siteId: row.site_id, jobId: row.job_id, payload: row.payload_json, attempt: row.attempt_count, maxAttempts: row.max_attempts };
}

/** Extends the lease; false = the lease is lost (requeued or taken): stop and write nothing more. */
export async function renewLease(db: DbExecutor, lease: Lease, now: Date, leaseSeconds: number): Promise<boolean> {
  const result = await db
    .updateTable('job_scheduler_work_items')
    .set({ lease_expires_at: new Date(now.getTime() + leaseSeconds * 1000), heartbeat_at: now, updated_at: now })
    .where('id', '=', lease.itemId)
    .where('status', '=', 'running')
    .where('lease_owner', '=', lease.owner)
    .where('attempt_count', '=', lease.attempt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Locks the item under the fence inside a transaction; false = fenced out. */
export async function holdsLease(trx: Transaction<Database>, lease: Lease): Promise<boolean> {
  const row = await trx
    .selectFrom('job_scheduler_work_items')
    .select('id')
    .where('id', '=', lease.itemId)
    .where('status', '=', 'running')
    .where('lease_owner', '=', lease.owner)
    .where('attempt_count', '=', lease.attempt)
    .forUpdate()
    .executeTakeFirst();
  return row !== undefined;
}

/** Finishes the item under the fence; false = fenced out (nothing written). */
export async function finishWorkItem(db: DbExecutor, lease: Lease, outcome: 'succeeded' | 'failed', now: Date, error?: string): Promise<boolean> {
  const result = await db
    .updateTable('job_scheduler_work_items')
    .set({ status: outcome, finished_at: now, updated_at: now, lease_expires_at: null, error: error?.slice(0, 2000) ?? null })
    .where('id', '=', lease.itemId)
    .where('status', '=', 'running')
    .where('lease_owner', '=', lease.owner)
    .where('attempt_count', '=', lease.attempt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * A failed attempt: back to the queue after `retryAfterSeconds`, or `failed` at max_attempts. An
 * uncounted release (`countAttempt = false`: engine locked, no handler here) always re-queues.
 */
export async function retryWorkItem(db: DbExecutor, lease: Lease, now: Date, error: string, retryAfterSeconds: number, countAttempt = true): Promise<boolean> {
  const result = await db
    .updateTable('job_scheduler_work_items')
    .set((eb) => ({
      status: countAttempt ? eb.case().when('attempt_count', '>=', eb.ref('max_attempts')).then(sql<'failed'>`'failed'`).else(sql<'queued'>`'queued'`).end() : sql<'queued'>`'queued'`,
      finished_at: countAttempt ? eb.case().when('attempt_count', '>=', eb.ref('max_attempts')).then(now).else(null).end() : null,
      attempt_count: countAttempt ? eb.ref('attempt_count') : eb('attempt_count', '-', 1),
      available_at: new Date(now.getTime() + retryAfterSeconds * 1000),
      lease_owner: null,
      lease_expires_at: null,
      error: error.slice(0, 2000),
      updated_at: now,
    }))
    .where('id', '=', lease.itemId)
    .where('status', '=', 'running')
    .where('lease_owner', '=', lease.owner)
    .where('attempt_count', '=', lease.attempt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Crash recovery: running rows past their lease go back to the queue (or fail at max_attempts). */
export async function requeueExpiredLeases(db: DbExecutor, now: Date): Promise<Array<{ id: string; site_id: number }>> {
  const { rows } = await sql<{ id: string; site_id: number }>`
    UPDATE job_scheduler_work_items SET
      status = CASE WHEN attempt_count >= max_attempts THEN 'failed' ELSE 'queued' END,
      finished_at = CASE WHEN attempt_count >= max_attempts THEN ${now}::timestamptz ELSE NULL END,
      available_at = ${now}, lease_owner = NULL, lease_expires_at = NULL,
      error = 'requeued after work lease expired', updated_at = ${now}
    WHERE id IN (
      SELECT id FROM job_scheduler_work_items WHERE status = 'running' AND lease_expires_at < ${now}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING id, site_id`.execute(db);
  return rows.map((r) => ({ id: String(r.id), site_id: r.site_id }));
}
