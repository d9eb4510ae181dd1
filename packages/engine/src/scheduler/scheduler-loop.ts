// The scheduler loop (automation.md §4.1): every 2 s heartbeat its `job-scheduler-<uuid>` row,
// requeue expired leases and mark silent workers lost, run the schedule pass and the sweeps,
// reconcile site workers (every 30 s, under a try advisory lock) and run the manager-lane items.

import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import { claimWorkItem, MANAGER_SITE, requeueExpiredLeases, type WorkLane } from './work-items';
import { runWorkItem, type WorkHandlers } from './work-runner';
import { HEARTBEAT_MS, heartbeatWorker, registerWorker, sitesNeedingWorkers, stopWorker, sweepWorkers } from './workers';

export const TICK_MS = 2_000;
const RECONCILE_MS = 30_000;
/** Advisory lock (data-model.md §6): site-worker reconcile, try form. */
const RECONCILE_LOCK = [1112494661, 6] as const;
/** Manager-lane items run per tick at most (the rest wait for the next tick). */
const MANAGER_ITEMS_PER_TICK = 200;

export interface SchedulerWork {
  readonly handlers: WorkHandlers;
  schedulePass(now: Date): Promise<number>;
  sweep(now: Date): Promise<void>;
}

export interface SchedulerLoopDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly work: SchedulerWork;
  readonly leaseSeconds: number;
  /** Concurrent site-0 scheduled_job items the scheduler itself runs. */
  readonly concurrency: number;
  /** Starts a site worker for a site (in-process for role all, a child process for role scheduler). */
  readonly launchSiteWorker?: (siteId: number) => void | Promise<void>;
  readonly passIntervalMs?: number;
  readonly workerGuid?: string;
}

export interface SchedulerLoop {
  readonly name: string;
  start(): Promise<void>;
  /** One loop iteration (tests call it with a manual clock). */
  tick(): Promise<void>;
  /** Waits for the running tick and in-flight items. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export function createSchedulerLoop(deps: SchedulerLoopDeps): SchedulerLoop {
  const workerGuid = deps.workerGuid ?? randomUUID();
  const name = `job-scheduler-${workerGuid}`;
  const log = deps.log.child({ svc: 'scheduler', worker: name });
  const inFlight = new Set<Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | null = null;
  let stopping = false;
  let lastHeartbeat = 0;
  let lastReconcile = 0;
  const runner = { db: deps.db, clock: deps.clock, log, leaseSeconds: deps.leaseSeconds, handlers: deps.work.handlers, passIntervalMs: deps.passIntervalMs, isStopping: () => stopping };

  async function reconcile(now: Date): Promise<void> {
    if (!deps.launchSiteWorker) return;
    const sites = await deps.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(${RECONCILE_LOCK[0]}, ${RECONCILE_LOCK[1]}) AS ok`.execute(trx);
      if (!rows[0]?.ok) return [];
      return sitesNeedingWorkers(trx, now);
    });
    for (const siteId of sites) {
      log.info({ site_id: siteId }, 'starting a site worker');
      await deps.launchSiteWorker(siteId);
    }
  }

  async function runManagerItems(): Promise<void> {
    for (let i = 0; i < MANAGER_ITEMS_PER_TICK && !stopping; i++) {
      const lanes: WorkLane[] = inFlight.size < deps.concurrency ? ['scheduler', 'maintenance', 'scheduled_job'] : ['scheduler', 'maintenance'];
      const item = await claimWorkItem(deps.db, { owner: name, workerGuid, siteId: MANAGER_SITE, lanes }, deps.clock.now(), deps.leaseSeconds);
      if (!item) return;
      if (item.kind === 'scheduled_run') {
        // Long-held dispatch work runs beside the loop; it renews its own lease.
        const p = runWorkItem(runner, item, name).finally(() => inFlight.delete(p));
        inFlight.add(p);
      } else {
        await runWorkItem(runner, item, name);
      }
    }
  }

  async function step(): Promise<void> {
    const now = deps.clock.now();
    if (now.getTime() - lastHeartbeat >= HEARTBEAT_MS) {
      await heartbeatWorker(deps.db, workerGuid, 'running', now);
      lastHeartbeat = now.getTime();
    }
    const requeued = await requeueExpiredLeases(deps.db, now);
    if (requeued.length) log.warn({ count: requeued.length }, 'requeued work items whose lease expired');
    await sweepWorkers(deps.db, now);
    await deps.work.schedulePass(now);
    await deps.work.sweep(now);
    if (now.getTime() - lastReconcile >= RECONCILE_MS || requeued.some((r) => r.site_id !== MANAGER_SITE)) {
      lastReconcile = now.getTime();
      await reconcile(now);
    }
    await runManagerItems();
  }

  const tick = () => (ticking ??= step().catch((err: unknown) => log.error({ err }, 'scheduler tick failed')).finally(() => (ticking = null)));

  return {
    name,
    async start() {
      const now = deps.clock.now();
      await registerWorker(deps.db, { workerGuid, name, kind: 'scheduler', siteId: null, lanes: ['scheduler', 'maintenance', 'scheduled_job'], launcher: 'in_process', concurrency: deps.concurrency }, now);
      const { rows } = await sql<{ now: Date }>`SELECT now() AS now`.execute(deps.db);
      const skew = rows[0] ? Math.abs(new Date(rows[0].now).getTime() - now.getTime()) : 0;
      if (skew > 5_000) log.warn({ skew_ms: skew }, 'clock differs from the database clock by more than 5 s');
      log.info('scheduler started');
      timer = setInterval(() => void tick(), TICK_MS);
      timer.unref?.();
      void tick();
    },
    tick,
    async drain() {
      await ticking;
      await Promise.allSettled([...inFlight]);
    },
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      await ticking;
      await Promise.allSettled([...inFlight]);
      await stopWorker(deps.db, workerGuid, deps.clock.now()).catch((err: unknown) => log.error({ err }, 'could not mark the scheduler stopped'));
      log.info('scheduler stopped');
    },
  };
}
