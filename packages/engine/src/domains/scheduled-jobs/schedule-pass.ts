// The schedule pass (automation.md §4.1 step 3, §4.4): due jobs FOR UPDATE SKIP LOCKED, one
// occurrence per (job, instant, trigger) inserted ON CONFLICT DO NOTHING, its materialization
// enqueued by dedupe key, and next_occurrence_at advanced past now; long outages collapse into one
// catch_up (run_latest) or one Skipped occurrence (skip).

import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { DbExecutor } from '../audit/audit-log';
import { compileSchedule, dueBetween, firstOccurrenceAtOrAfter, floorToMinute, occurrenceAfter } from '../../scheduler/schedule';
import { enqueueWorkItem, MANAGER_SITE } from '../../scheduler/work-items';
import { toJobRow } from './job-rows';

export interface SchedulePassDeps {
  readonly db: Kysely<Database>;
  readonly defaultTimeZone: string;
  readonly missedGraceSeconds: number;
}

export interface SchedulePassResult {
  readonly jobs: number;
  readonly occurrences: Array<{ jobId: number; occurrenceId: string }>;
}

const MAX_JOBS = 100;
/** Within the grace a job runs late, one occurrence per due instant; this bounds a pass. */
const MAX_LATE_OCCURRENCES = 20;

/** Inserts an occurrence (or finds the existing one) and enqueues its materialization. */
export async function createOccurrence(
  db: DbExecutor,
  o: { jobId: number; scheduledFor: Date; trigger: 'schedule' | 'catch_up' | 'manual'; missedCount?: number; skipped?: boolean },
  now: Date,
): Promise<{ id: string; inserted: boolean }> {
  const inserted = await db
    .insertInto('scheduled_job_occurrences')
    .values({
      job_id: o.jobId,
      scheduled_for: o.scheduledFor,
      trigger: o.trigger,
      missed_count: o.missedCount ?? 0,
      status: o.skipped ? 'Skipped' : 'Pending',
      skip_reason: o.skipped ? 'missed' : null,
      counts_json: JSON.stringify({ total: 0 }),
      finished_at: o.skipped ? now : null,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['job_id', 'scheduled_for', 'trigger']).doNothing())
    .returning('id')
    .executeTakeFirst();
  const id =
    inserted?.id ??
    (await db
      .selectFrom('scheduled_job_occurrences')
      .select('id')
      .where('job_id', '=', o.jobId)
      .where('scheduled_for', '=', o.scheduledFor)
      .where('trigger', '=', o.trigger)
      .executeTakeFirstOrThrow()).id;
  if (!o.skipped) {
    await enqueueWorkItem(db, { kind: 'occurrence_materialize', dedupeKey: `occurrence:${id}`, siteId: MANAGER_SITE, jobId: o.jobId, payload: { occurrence_id: id }, availableAt: now });
  }
  return { id, inserted: inserted !== undefined };
}

export async function runSchedulePass(deps: SchedulePassDeps, now: Date): Promise<SchedulePassResult> {
  return deps.db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('scheduled_jobs')
      .selectAll()
      .where('enabled', '=', true)
      .where('state', '=', 'active')
      .where('next_occurrence_at', '<=', now)
      .orderBy('next_occurrence_at')
      .orderBy('id')
      .limit(MAX_JOBS)
      .forUpdate()
      .skipLocked()
      .execute();
    const occurrences: SchedulePassResult['occurrences'] = [];
    for (const row of rows) {
      const job = toJobRow(row);
      const due = row.next_occurrence_at!;
      let schedule;
      try {
        schedule = compileSchedule(job.schedule, deps.defaultTimeZone);
      } catch (err) {
        // A schedule that no longer compiles (a zone dropped from tzdata): stop, say why.
        await trx.updateTable('scheduled_jobs').set({ enabled: false, disabled_reason: `invalid schedule: ${(err as Error).message}`.slice(0, 500) }).where('id', '=', job.id).execute();
        continue;
      }
      const isOneShot = schedule.type === 'immediately' || schedule.type === 'once';
      const late = now.getTime() - due.getTime() > deps.missedGraceSeconds * 1000;
      if (isOneShot) {
        const o = await createOccurrence(trx, { jobId: job.id, scheduledFor: due, trigger: 'schedule' }, now);
        occurrences.push({ jobId: job.id, occurrenceId: o.id });
      } else if (!late) {
        let at: Date | null = due;
        for (let i = 0; at && at <= now && i < MAX_LATE_OCCURRENCES; i++) {
          const o = await createOccurrence(trx, { jobId: job.id, scheduledFor: at, trigger: 'schedule' }, now);
          occurrences.push({ jobId: job.id, occurrenceId: o.id });
          at = occurrenceAfter(schedule, at);
        }
      } else {
        const { count, latest } = dueBetween(schedule, due, now);
        const at = latest ?? due;
        const n = Math.max(count, 1);
        const skipped = job.missed_run_policy === 'skip';
        const o = await createOccurrence(trx, { jobId: job.id, scheduledFor: at, trigger: 'catch_up', missedCount: skipped ? n : n - 1, skipped }, now);
        if (!skipped) occurrences.push({ jobId: job.id, occurrenceId: o.id });
      }
      const next = isOneShot ? null : firstOccurrenceAtOrAfter(schedule, new Date(floorToMinute(now).getTime() + 60_000));
      await trx
        .updateTable('scheduled_jobs')
        .set({ next_occurrence_at: next, state: next ? 'active' : 'completed', updated_at: sql`updated_at` })
        .where('id', '=', job.id)
        .execute();
    }
    return { jobs: rows.length, occurrences };
  });
}
