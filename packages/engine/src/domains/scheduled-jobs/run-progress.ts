// Progress of materialized occurrences (automation.md §3.3, §3.4): components in order (the next is
// released when the previous finishes, or Skipped after a failure with stop_on_failure), expiry,
// the Timed Out backstop, and the run/occurrence rollups with their counts.

import { sql } from 'kysely';
import type { DbExecutor } from '../audit/audit-log';
import { countStatuses, FAILURE, rollupStatus, TERMINAL } from './job-model';

export interface OccurrenceRollup {
  readonly jobId: number;
  readonly status: string;
  readonly counts: Record<string, number>;
  readonly changed: boolean;
}

/** Recomputes run and occurrence statuses from executions; idempotent. */
export async function rollupOccurrence(db: DbExecutor, occurrenceId: string, now: Date): Promise<OccurrenceRollup | null> {
  const occ = await db.selectFrom('scheduled_job_occurrences').select(['job_id', 'status', 'skip_reason', 'counts_json', 'started_at']).where('id', '=', occurrenceId).executeTakeFirst();
  if (!occ) return null;
  const runs = await db.selectFrom('scheduled_job_runs').select(['id', 'status']).where('occurrence_id', '=', occurrenceId).execute();
  const open = runs.filter((r) => !TERMINAL.has(r.status)).map((r) => r.id);
  const execs = open.length
    ? await db.selectFrom('activity_history').select(['run_id', 'status', 'accepted_at']).where('run_id', 'in', open).execute()
    : [];
  const byRun = new Map<string, { statuses: string[]; accepted: boolean }>();
  for (const e of execs) {
    const entry = byRun.get(e.run_id!) ?? { statuses: [], accepted: false };
    entry.statuses.push(e.status);
    entry.accepted ||= e.accepted_at !== null || e.status !== 'Pending';
    byRun.set(e.run_id!, entry);
  }
  const runStatuses: string[] = [];
  let anyAccepted = false;
  for (const run of runs) {
    const entry = byRun.get(run.id);
    if (TERMINAL.has(run.status) || !entry) {
      runStatuses.push(run.status);
      continue;
    }
    const status = rollupStatus(entry.statuses, entry.accepted);
    anyAccepted ||= entry.accepted;
    runStatuses.push(status);
    if (status !== run.status) {
      await db
        .updateTable('scheduled_job_runs')
        .set({ status, finished_at: TERMINAL.has(status) ? now : null, started_at: status === 'Running' ? sql`COALESCE(started_at, ${now})` : undefined })
        .where('id', '=', run.id)
        .where('status', 'not in', [...TERMINAL])
        .execute();
    }
  }
  // Not materialized yet (started_at is set by materialization): nothing to roll up.
  if (TERMINAL.has(occ.status) || occ.started_at === null) {
    return { jobId: occ.job_id, status: occ.status, counts: occ.counts_json as Record<string, number>, changed: false };
  }
  // A run that reached a result other than Skipped/Expired was accepted by its device.
  anyAccepted ||= runStatuses.some((s) => s !== 'Pending' && s !== 'Skipped' && s !== 'Expired');
  const status = runs.length === 0 ? 'Skipped' : rollupStatus(runStatuses, anyAccepted);
  const counts = countStatuses(runStatuses);
  const changed = status !== occ.status || JSON.stringify(counts) !== JSON.stringify(occ.counts_json);
  if (changed) {
    await db
      .updateTable('scheduled_job_occurrences')
      .set({
        status,
        counts_json: JSON.stringify(counts),
        skip_reason: runs.length === 0 ? 'no_devices_targeted' : occ.skip_reason,
        finished_at: TERMINAL.has(status) ? now : null,
      })
      .where('id', '=', occurrenceId)
      .execute();
  }
  return { jobId: occ.job_id, status, counts, changed };
}

/** Releases the next component of runs whose previous component finished (or skips the rest). */
export async function advanceRuns(db: DbExecutor, occurrenceId: string, siteId: number | null, now: Date): Promise<number> {
  let q = db
    .selectFrom('activity_history as e')
    .innerJoin('scheduled_job_runs as r', 'r.id', 'e.run_id')
    .innerJoin('scheduled_jobs as j', 'j.id', 'r.job_id')
    .select(['e.id', 'e.run_id', 'e.component_index', 'e.status', 'e.phase', 'j.stop_on_failure'])
    .where('r.occurrence_id', '=', occurrenceId)
    .where('r.status', 'in', ['Pending', 'Running']);
  if (siteId !== null) q = q.where(sql<number>`COALESCE(r.site_id, 0)`, '=', siteId);
  const rows = await q.orderBy('e.run_id').orderBy('e.component_index').execute();
  let changed = 0;
  for (let i = 1; i < rows.length; i++) {
    const cur = rows[i]!;
    const prev = rows[i - 1]!;
    if (prev.run_id !== cur.run_id || cur.status !== 'Pending' || cur.phase !== 'waiting_for_previous' || !TERMINAL.has(prev.status)) continue;
    const stop = cur.stop_on_failure && (FAILURE.has(prev.status) || prev.status === 'Cancelled' || prev.status === 'Skipped');
    const result = await db
      .updateTable('activity_history')
      .set(stop ? { status: 'Skipped', phase: null, skip_reason: 'previous_component_failed', finished_at: now, updated_at: now } : { phase: 'waiting_for_device', updated_at: now })
      .where('id', '=', cur.id)
      .where('status', '=', 'Pending')
      .where('phase', '=', 'waiting_for_previous')
      .executeTakeFirst();
    changed += Number(result.numUpdatedRows);
    if (stop) cur.status = 'Skipped';
  }
  return changed;
}

/** Scheduled executions not accepted by their expiry → Expired (device_offline). */
export async function expireScheduled(db: DbExecutor, now: Date): Promise<string[]> {
  const rows = await db
    .updateTable('activity_history')
    .set({ status: 'Expired', phase: 'device_offline', error_code: 'device_offline', finished_at: now, updated_at: now })
    .where('activity_kind', '=', 'scheduled')
    .where('status', '=', 'Pending')
    .where('accepted_at', 'is', null)
    .where('expires_at', '<=', now)
    .returning('run_id')
    .execute();
  return rows.map((r) => r.run_id!);
}

/** Backstop: accepted but no result by accepted_at + timeout + 120 s → Timed Out (default 3600 s). */
export async function timeOutScheduled(db: DbExecutor, now: Date): Promise<number> {
  const result = await sql`
    UPDATE activity_history e SET status = 'Timed Out', phase = NULL, error_code = 'no_result', finished_at = ${now}, updated_at = ${now}
    FROM scheduled_job_runs r JOIN scheduled_jobs j ON j.id = r.job_id
    WHERE e.run_id = r.id AND e.activity_kind = 'scheduled' AND e.status = 'Running' AND e.accepted_at IS NOT NULL
      AND e.accepted_at + make_interval(secs => COALESCE((j.components -> e.component_index ->> 'timeout_seconds')::int, 3600) + 120) < ${now}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Open occurrences (oldest first) for the rollup sweep. */
export async function openOccurrences(db: DbExecutor, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('scheduled_job_occurrences').select('id').where('status', 'in', ['Pending', 'Running']).orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}
