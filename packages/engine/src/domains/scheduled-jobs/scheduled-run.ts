// scheduled_run (automation.md §4.5 "pressure work"): one pass over an occurrence's executions on one
// site: release next components, hand ready Pending executions of online devices to the injected
// delivery (quick-jobs dispatcher: sign + emit), and say whether to keep holding the lease.

import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { advanceRuns, rollupOccurrence, type OccurrenceRollup } from './run-progress';

/** Delivers executions to their devices (signs and emits quick_job_run); must be idempotent. */
export type DeliverExecutions = (executionIds: readonly string[]) => Promise<void>;

export interface ScheduledRunDeps {
  readonly db: Kysely<Database>;
  readonly deliver: DeliverExecutions;
  readonly onRollup?: (occurrenceId: string, rollup: OccurrenceRollup) => void;
}

const DELIVER_BATCH = 500;

/** 'done' when every execution is terminal or only offline Pending ones remain. */
export async function scheduledRunPass(deps: ScheduledRunDeps, occurrenceId: string, siteId: number, now: Date): Promise<'done' | 'wait'> {
  await advanceRuns(deps.db, occurrenceId, siteId, now);
  const open = await deps.db
    .selectFrom('activity_history as e')
    .innerJoin('scheduled_job_runs as r', 'r.id', 'e.run_id')
    .leftJoin('device_heartbeat_state as h', 'h.device_guid', 'e.device_guid')
    .select(['e.id', 'e.status', 'e.phase', 'e.dispatched_at', sql<boolean>`h.presence_node_id IS NOT NULL`.as('is_online')])
    .where('r.occurrence_id', '=', occurrenceId)
    .where(sql<number>`COALESCE(r.site_id, 0)`, '=', siteId)
    .where('e.status', 'in', ['Pending', 'Running'])
    .where('e.expires_at', '>', now)
    .orderBy('e.created_at')
    .execute();
  const ready = open.filter((e) => e.status === 'Pending' && e.phase !== 'waiting_for_previous' && e.dispatched_at === null && e.is_online).map((e) => e.id);
  for (let i = 0; i < ready.length; i += DELIVER_BATCH) await deps.deliver(ready.slice(i, i + DELIVER_BATCH));
  const rollup = await rollupOccurrence(deps.db, occurrenceId, now);
  if (rollup?.changed) deps.onRollup?.(occurrenceId, rollup);
  const holding = open.some((e) => e.status === 'Running' || (e.is_online && e.phase !== 'waiting_for_previous'));
  return holding ? 'wait' : 'done';
}
