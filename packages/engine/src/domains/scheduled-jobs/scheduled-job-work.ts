// What the scheduler loop does for scheduled jobs: the schedule pass, the idempotent sweeps
// (expiry, Timed Out backstop, component release, rollups, the hourly retention item) and the
// handlers of occurrence_materialize, scheduled_run and retention_sweep.

import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { WorkHandlers } from '../../scheduler/work-runner';
import { enqueueWorkItem, MANAGER_SITE, retryWorkItem } from '../../scheduler/work-items';
import type { AssemblySource } from './assembly-source';
import { materializeOccurrence } from './materialize';
import { retentionKey, sweepJobHistory } from './retention';
import { advanceRuns, expireScheduled, openOccurrences, rollupOccurrence, timeOutScheduled, type OccurrenceRollup } from './run-progress';
import { runSchedulePass } from './schedule-pass';
import { scheduledRunPass, type DeliverExecutions } from './scheduled-run';
import type { FilterResolver } from './targets';

export interface ScheduledJobWorkDeps {
  readonly db: Kysely<Database>;
  readonly deliver: DeliverExecutions;
  readonly assemblies: AssemblySource;
  readonly resolveFilter: FilterResolver;
  readonly defaultTimeZone: string;
  readonly missedGraceSeconds: number;
  readonly historyDays: number;
  readonly onOccurrenceChanged?: (occurrenceId: string, rollup: OccurrenceRollup) => void;
  /** Whether Aegis is locked on this node: dispatch needs the Aegis-wrapped signing key. */
  readonly isLocked?: () => boolean;
}

export interface ScheduledJobWork {
  readonly handlers: WorkHandlers;
  schedulePass(now: Date): Promise<number>;
  sweep(now: Date): Promise<void>;
}

const ROLLUP_BATCH = 200;
/** automation.md §4.5: a dispatch item released while locked comes back after 30 s. */
export const LOCKED_RETRY_SECONDS = 30;

export function createScheduledJobWork(deps: ScheduledJobWorkDeps): ScheduledJobWork {
  const handlers: WorkHandlers = {
    occurrence_materialize: async (item, lease, now) =>
      (await materializeOccurrence(deps, lease, String(item.payload.occurrence_id), now)) ? 'finished' : 'fenced',
    scheduled_run: async (item, lease, now) => {
      // Locked (security.md §2.4): release without dispatching and without counting the attempt,
      // checked on every pass so a relock (force reset) also lets go of a held item.
      if (deps.isLocked?.()) return (await retryWorkItem(deps.db, lease, now, 'engine_locked', LOCKED_RETRY_SECONDS, false)) ? 'finished' : 'fenced';
      return scheduledRunPass({ db: deps.db, deliver: deps.deliver, onRollup: deps.onOccurrenceChanged }, String(item.payload.occurrence_id), item.siteId, now);
    },
    retention_sweep: async (_item, _lease, now) => {
      await sweepJobHistory(deps.db, now, deps.historyDays);
      return 'done';
    },
  };
  return {
    handlers,
    async schedulePass(now) {
      return (await runSchedulePass({ db: deps.db, defaultTimeZone: deps.defaultTimeZone, missedGraceSeconds: deps.missedGraceSeconds }, now)).occurrences.length;
    },
    async sweep(now) {
      await expireScheduled(deps.db, now);
      await timeOutScheduled(deps.db, now);
      for (const id of await openOccurrences(deps.db, ROLLUP_BATCH)) {
        await advanceRuns(deps.db, id, null, now);
        const rollup = await rollupOccurrence(deps.db, id, now);
        if (rollup?.changed) deps.onOccurrenceChanged?.(id, rollup);
      }
      await enqueueWorkItem(deps.db, { kind: 'retention_sweep', dedupeKey: retentionKey(now), siteId: MANAGER_SITE, payload: {}, availableAt: now });
    },
  };
}
