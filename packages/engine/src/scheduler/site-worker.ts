// A site worker `site-worker-<uuid>` (automation.md §4.5): claims only its site's scheduled_job
// items, up to `concurrency` at once, heart-beats every 10 s and exits after 60 s without work.

import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import { runWorkItem, type WorkHandlers } from './work-runner';
import { claimWorkItem } from './work-items';
import { HEARTBEAT_MS, heartbeatWorker, registerWorker, stopWorker } from './workers';

export const SITE_WORKER_IDLE_MS = 60_000;
const TICK_MS = 2_000;

export interface SiteWorkerDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly siteId: number;
  readonly concurrency: number;
  readonly leaseSeconds: number;
  readonly handlers: WorkHandlers;
  readonly launcher: 'in_process' | 'child';
  readonly workerGuid?: string;
  readonly passIntervalMs?: number;
  readonly idleMs?: number;
}

export interface SiteWorker {
  readonly name: string;
  readonly workerGuid: string;
  start(): Promise<void>;
  /** One loop step (tests drive it with a manual clock). */
  tick(): Promise<void>;
  /** Resolves when the worker has stopped (idle exit or stop()). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
  /** Waits for in-flight items. */
  drain(): Promise<void>;
}

export function createSiteWorker(deps: SiteWorkerDeps): SiteWorker {
  const workerGuid = deps.workerGuid ?? randomUUID();
  const name = `site-worker-${workerGuid}`;
  const log = deps.log.child({ svc: 'site-worker', worker: name, site_id: deps.siteId });
  const inFlight = new Set<Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  let ticking: Promise<void> | null = null;
  let lastHeartbeat = 0;
  let lastActivity = deps.clock.now().getTime();
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));

  async function finish(): Promise<void> {
    if (stopping) return;
    stopping = true;
    if (timer) clearInterval(timer);
    await Promise.allSettled([...inFlight]);
    await stopWorker(deps.db, workerGuid, deps.clock.now()).catch((err: unknown) => log.error({ err }, 'could not mark the worker stopped'));
    log.info('site worker stopped');
    resolveDone();
  }

  async function step(): Promise<void> {
    const now = deps.clock.now();
    if (now.getTime() - lastHeartbeat >= HEARTBEAT_MS) {
      await heartbeatWorker(deps.db, workerGuid, inFlight.size ? 'running' : 'idle', now);
      lastHeartbeat = now.getTime();
    }
    while (!stopping && inFlight.size < deps.concurrency) {
      const item = await claimWorkItem(deps.db, { owner: name, workerGuid, siteId: deps.siteId, lanes: ['scheduled_job'] }, deps.clock.now(), deps.leaseSeconds);
      if (!item) break;
      lastActivity = deps.clock.now().getTime();
      const p = runWorkItem({ ...deps, log, isStopping: () => stopping }, item, name).finally(() => {
        inFlight.delete(p);
        lastActivity = deps.clock.now().getTime();
      });
      inFlight.add(p);
    }
    if (!inFlight.size && deps.clock.now().getTime() - lastActivity >= (deps.idleMs ?? SITE_WORKER_IDLE_MS)) {
      log.info('idle; exiting');
      void finish();
    }
  }

  const tick = () => (ticking ??= step().catch((err: unknown) => log.error({ err }, 'site worker tick failed')).finally(() => (ticking = null)));

  return {
    name,
    workerGuid,
    done,
    async start() {
      await registerWorker(deps.db, { workerGuid, name, kind: 'site_worker', siteId: deps.siteId, lanes: ['scheduled_job'], launcher: deps.launcher, concurrency: deps.concurrency }, deps.clock.now());
      log.info('site worker started');
      await tick();
      if (!stopping) {
        timer = setInterval(() => void tick(), TICK_MS);
        timer.unref?.();
      }
    },
    tick,
    stop: finish,
    async drain() {
      await ticking;
      await Promise.allSettled([...inFlight]);
    },
  };
}
