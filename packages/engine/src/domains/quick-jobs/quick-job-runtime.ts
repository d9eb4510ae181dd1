// The quick-job machinery of one api node: events, delivery, result fan-in, the 10 s sweep (expiry,
// Timed Out backstop, unconfirmed cancels, 30 s redelivery to local sockets) and cancel requests.

import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import { QuickJobCancelAckSchema } from '@borealis/protocol/agent';
import type { QuickJobCancelResponse } from '@borealis/protocol';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import type { ScopeUser } from '../../db/site-scope';
import type { QuickJobAssemblies } from './assembly-port';
import { createDelivery, REDELIVER_AFTER_MS, RUN_ACK_MS, type Delivery } from './delivery';
import { createFanIn, type FanIn } from './fan-in';
import { createJobEvents, type JobEvents } from './job-events';
import { quickJobRepository as repo, type ChangedExecution } from './quick-job-repository';
import type { ReadService } from './read-service';

export const SWEEP_MS = 10_000;
export const TIMEOUT_GRACE_SECONDS = 120;
export const CANCEL_CONFIRM_MS = 60_000;
export const CANCEL_ACK_MS = 10_000;

export interface QuickJobRuntimeDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly agents: Namespace | null;
  readonly operators: Namespace | null;
  readonly assemblies: QuickJobAssemblies;
  readonly outputMaxBytes: number;
  /** Registered devices on this node (wire GUIDs), for redelivery. */
  readonly localDevices: () => readonly string[];
  readonly loops?: boolean;
}

export interface QuickJobRuntime {
  readonly events: JobEvents;
  readonly delivery: Delivery;
  readonly fanIn: FanIn;
  /** After dispatch commits: announce the rows and deliver to devices connected here. */
  created(rows: readonly ChangedExecution[]): void;
  /** connect_agent: send the device's ready Pending executions. */
  agentRegistered(guid: string): void;
  /** One sweep round now (normally every 10 s). */
  sweep(): Promise<void>;
  cancel(user: ScopeUser & { username: string }, reads: ReadService, quickJobId: string, jobIds: readonly string[] | undefined): Promise<QuickJobCancelResponse>;
  start(): void;
  stop(): Promise<void>;
}

export function createQuickJobRuntime(deps: QuickJobRuntimeDeps): QuickJobRuntime {
  const events = createJobEvents({ db: deps.db, clock: deps.clock, log: deps.log, operators: deps.operators });
  const fanIn = createFanIn({ db: deps.db, clock: deps.clock, log: deps.log, events, assemblies: deps.assemblies, outputMaxBytes: deps.outputMaxBytes });
  const delivery = createDelivery({
    db: deps.db,
    clock: deps.clock,
    log: deps.log,
    agents: deps.agents,
    assemblies: deps.assemblies,
    events,
    outputMaxBytes: deps.outputMaxBytes,
    onClaimed: (rows) => fanIn.remember(rows),
  });
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> = Promise.resolve();

  const sendCancel = (row: ChangedExecution, requestedBy: string) => {
    if (!deps.agents) return;
    deps.agents
      .to(`device:${row.device_guid.toUpperCase()}`)
      .timeout(CANCEL_ACK_MS)
      .emitWithAck('quick_job_cancel', { job_id: row.id, reason: 'operator_cancel', requested_by: requestedBy.slice(0, 255) })
      .then((answers: unknown[]) => {
        const ack = answers.map((a) => QuickJobCancelAckSchema.safeParse(a)).find((p) => p.success);
        deps.log.debug({ jobId: row.id, state: ack?.data?.state }, 'quick job cancel acknowledged');
      })
      // Unconfirmed cancels become Cancelled (cancel_confirmed false) after 60 s in the sweep.
      .catch(() => undefined);
  };

  const sweepOnce = async () => {
    const now = deps.clock.now();
    const expired = await repo.expire(deps.db, now, new Date(now.getTime() - RUN_ACK_MS));
    const timedOut = await repo.timeOut(deps.db, now, TIMEOUT_GRACE_SECONDS);
    const cancelled = await repo.expireCancels(deps.db, now, new Date(now.getTime() - CANCEL_CONFIRM_MS));
    events.targetsChanged([...expired, ...timedOut, ...cancelled], 'updated');
    const local = deps.localDevices().map((g) => g.toLowerCase());
    for (const guid of await repo.devicesWithDeliverable(deps.db, local, now, new Date(now.getTime() - REDELIVER_AFTER_MS))) void delivery.deliver(guid);
    await events.recount();
  };

  return {
    events,
    delivery,
    fanIn,
    created(rows) {
      events.targetsChanged(rows, 'created');
      void events.recount();
      const local = new Set(deps.localDevices().map((g) => g.toLowerCase()));
      const byDevice = new Map<string, string[]>();
      for (const r of rows) {
        if (r.status !== 'Pending' || !local.has(r.device_guid)) continue;
        const ids = byDevice.get(r.device_guid) ?? [];
        ids.push(r.id);
        byDevice.set(r.device_guid, ids);
      }
      for (const [guid, ids] of byDevice) void delivery.deliver(guid, ids);
    },
    agentRegistered(guid) {
      void delivery.deliver(guid);
    },
    sweep() {
      const run = () => sweepOnce().catch((err: unknown) => deps.log.warn({ err }, 'quick job sweep failed'));
      sweeping = sweeping.then(run, run);
      return sweeping;
    },
    async cancel(user, reads, quickJobId, jobIds) {
      const { siteIds } = await reads.visibleJob(user, quickJobId);
      const now = deps.clock.now();
      // A Pending row already sent (ack outstanding) may still start on the agent: tell it too.
      const inFlight = new Set(await repo.dispatchingIds(deps.db, quickJobId));
      const cancelled = await repo.cancelPending(deps.db, quickJobId, jobIds, siteIds, now);
      for (const row of cancelled) if (inFlight.has(row.id)) sendCancel(row, user.username);
      const running = await repo.requestCancelRunning(deps.db, quickJobId, jobIds, siteIds, now);
      events.targetsChanged(cancelled, 'updated');
      for (const row of running) sendCancel(row, user.username);
      await events.recount();
      return { cancelled: cancelled.map((r) => r.id), cancelling: running.map((r) => r.id) };
    },
    start() {
      fanIn.start();
      events.start();
      if (deps.loops === false) return;
      timer = setInterval(() => void this.sweep(), SWEEP_MS);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await sweeping;
      await delivery.idle();
      await fanIn.stop();
      await events.stop();
    },
  };
}
