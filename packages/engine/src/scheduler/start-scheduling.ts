// Starts what a role runs of the scheduler (automation.md §4, §4.5): role `all` the loop with
// in-process site workers, role `scheduler` the loop launching `borealis start --role site-worker
// --site <id>` children, role `site-worker` one site's worker, which exits when idle.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { EngineConfig } from '../config';
import type { Database } from '../db/schema';
import { tableAssemblySource, type AssemblySource } from '../domains/scheduled-jobs/assembly-source';
import type { ScheduledJobEvents } from '../domains/scheduled-jobs/events';
import { createScheduledJobWork } from '../domains/scheduled-jobs/scheduled-job-work';
import type { DeliverExecutions } from '../domains/scheduled-jobs/scheduled-run';
import { createFilterEvaluation } from '../domains/filters/filter-evaluation';
import { filterResolverOf, type FilterResolver } from '../domains/scheduled-jobs/targets';
import { hostTimeZone } from './schedule';
import { createSchedulerLoop } from './scheduler-loop';
import { createSiteWorker, type SiteWorker } from './site-worker';

export interface SchedulingDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly config: EngineConfig;
  /** Delivery of ready executions (the quick-jobs dispatcher); default: leave them Pending. */
  readonly deliver?: DeliverExecutions;
  readonly assemblies?: AssemblySource;
  readonly resolveFilter?: FilterResolver;
  readonly events?: ScheduledJobEvents;
  /** Whether Aegis is locked on this node (role all); dispatch items are then released. */
  readonly isLocked?: () => boolean;
  /** role site-worker: its site and guid. */
  readonly siteId?: number;
  readonly workerGuid?: string;
}

export interface Scheduling {
  /** Resolves when the role's work is over by itself (an idle site worker). */
  readonly done: Promise<void> | null;
  stop(): Promise<void>;
}

/** Until the quick-jobs dispatcher is wired, executions wait for the device's reconnect delivery. */
const leavePending: DeliverExecutions = async () => {};

export async function startScheduling(deps: SchedulingDeps): Promise<Scheduling | null> {
  const role = deps.config.role;
  if (role === 'api') return null;
  const work = createScheduledJobWork({
    db: deps.db,
    deliver: deps.deliver ?? leavePending,
    assemblies: deps.assemblies ?? tableAssemblySource,
    resolveFilter: deps.resolveFilter ?? filterResolverOf(createFilterEvaluation({ clock: deps.clock })),
    defaultTimeZone: deps.config.timezone ?? hostTimeZone(),
    missedGraceSeconds: deps.config.schedulerMissedGraceSeconds,
    historyDays: deps.config.jobHistoryDays,
    isLocked: deps.isLocked,
    onOccurrenceChanged: (occurrenceId, r) => deps.events?.occurrenceChanged({ job_id: r.jobId, occurrence_id: occurrenceId, status: r.status, counts: r.counts }),
  });
  const common = { db: deps.db, clock: deps.clock, log: deps.log, leaseSeconds: deps.config.workLeaseSeconds, handlers: work.handlers, concurrency: deps.config.siteWorkerConcurrency };

  if (role === 'site-worker') {
    if (deps.siteId === undefined) {
      deps.log.warn('site worker started without a site; it claims nothing (use --site <id>)');
      return null;
    }
    const worker = createSiteWorker({ ...common, siteId: deps.siteId, launcher: 'child', workerGuid: deps.workerGuid });
    await worker.start();
    return { done: worker.done, stop: () => worker.stop() };
  }

  const inProcess = new Map<number, SiteWorker>();
  const children = new Set<ChildProcess>();
  const launchSiteWorker =
    role === 'all'
      ? async (siteId: number) => {
          if (inProcess.has(siteId)) return;
          const worker = createSiteWorker({ ...common, siteId, launcher: 'in_process' });
          inProcess.set(siteId, worker);
          void worker.done.then(() => inProcess.delete(siteId));
          await worker.start();
        }
      : (siteId: number) => {
          const script = process.argv[1];
          if (!script) return;
          const child = spawn(process.execPath, [...process.execArgv, script, 'start', '--role', 'site-worker', '--site', String(siteId)], {
            env: { ...process.env, BOREALIS_ROLE: 'site-worker' },
            stdio: 'ignore',
          });
          children.add(child);
          child.on('exit', () => children.delete(child));
          child.on('error', (err) => deps.log.error({ err, site_id: siteId }, 'site worker process failed to start'));
        };
  const loop = createSchedulerLoop({ ...common, work, launchSiteWorker, workerGuid: randomUUID() });
  await loop.start();
  return {
    done: null,
    async stop() {
      await loop.stop();
      await Promise.all([...inProcess.values()].map((w) => w.stop()));
      for (const child of children) child.kill('SIGTERM');
    },
  };
}
