// History retention (automation.md §3.4): hourly, occurrences older than BOREALIS_JOB_HISTORY_DAYS
// by COALESCE(finished, started, scheduled_for) go with their runs and executions; finished quick
// jobs by created_at; terminal work items after 7 days; never non-terminal rows.

import { sql } from 'kysely';
import type { DbExecutor } from '../audit/audit-log';

const WORK_ITEM_DAYS = 7;

export async function sweepJobHistory(db: DbExecutor, now: Date, historyDays: number): Promise<{ occurrences: number; quickJobs: number; workItems: number }> {
  const cutoff = new Date(now.getTime() - historyDays * 86_400_000);
  const occurrences = await db
    .deleteFrom('scheduled_job_occurrences')
    .where(sql`COALESCE(finished_at, started_at, scheduled_for)`, '<', cutoff)
    .where('status', 'not in', ['Pending', 'Running'])
    .executeTakeFirst();
  const quickJobs = await db.deleteFrom('quick_jobs').where('created_at', '<', cutoff).where('finished_at', 'is not', null).executeTakeFirst();
  const workItems = await db
    .deleteFrom('job_scheduler_work_items')
    .where('status', 'in', ['succeeded', 'failed', 'cancelled'])
    .where('finished_at', '<', new Date(now.getTime() - WORK_ITEM_DAYS * 86_400_000))
    .executeTakeFirst();
  return { occurrences: Number(occurrences.numDeletedRows), quickJobs: Number(quickJobs.numDeletedRows), workItems: Number(workItems.numDeletedRows) };
}

/** The hourly dedupe key: `retention:<YYYY-MM-DDTHH>` (UTC). */
export function retentionKey(now: Date): string {
  return `retention:${now.toISOString().slice(0, 13)}`;
}
