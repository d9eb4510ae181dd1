// Runs one claimed work item under its lease (automation.md §4.2): renews every 20 s (or a third of
// a short lease) with the attempt fence, re-runs "wait" passes, finishes or retries under the fence,
// and stops writing the moment the lease is lost.

import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import { finishWorkItem, renewLease, retryWorkItem, type ClaimedItem, type Lease, type WorkKind } from './work-items';

/**
 * One pass of a handler: `finished` = it finished the item itself (in its own transaction),
 * `done` = the runner marks it succeeded, `wait` = call again after a pause, `fenced` = lease lost.
 */
export type PassOutcome = 'finished' | 'done' | 'wait' | 'fenced';
export type WorkHandler = (item: ClaimedItem, lease: Lease, now: Date) => Promise<PassOutcome>;
export type WorkHandlers = Partial<Record<WorkKind, WorkHandler>>;

export interface WorkRunnerDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly leaseSeconds: number;
  readonly handlers: WorkHandlers;
  /** Pause between `wait` passes (real time; default 2 s). */
  readonly passIntervalMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Whether the runner should give up early (shutdown). */
  readonly isStopping?: () => boolean;
}

const RETRY_AFTER_SECONDS = 30;

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());

export async function runWorkItem(deps: WorkRunnerDeps, item: ClaimedItem, owner: string): Promise<PassOutcome | 'failed'> {
  const lease: Lease = { itemId: item.id, owner, attempt: item.attempt };
  const renewEveryMs = Math.min(20_000, (deps.leaseSeconds * 1000) / 3);
  const sleep = deps.sleep ?? realSleep;
  const handler = deps.handlers[item.kind];
  const log = deps.log.child({ work_item: item.id, kind: item.kind, attempt: item.attempt });
  if (!handler) {
    await retryWorkItem(deps.db, lease, deps.clock.now(), `no handler for ${item.kind} here`, RETRY_AFTER_SECONDS, false);
    return 'failed';
  }
  let lastRenew = deps.clock.now().getTime();
  try {
    for (;;) {
      const outcome = await handler(item, lease, deps.clock.now());
      if (outcome === 'fenced') {
        log.warn('work lease lost; stopped without writing');
        return outcome;
      }
      if (outcome === 'finished') return outcome;
      if (outcome === 'done') {
        if (!(await finishWorkItem(deps.db, lease, 'succeeded', deps.clock.now()))) log.warn('work lease lost before finishing');
        return outcome;
      }
      if (deps.isStopping?.()) return 'wait';
      // Sleep in short steps so renewals keep their cadence whatever the pass interval.
      const until = Date.now() + (deps.passIntervalMs ?? 2000);
      while (Date.now() < until) {
        const now = deps.clock.now();
        if (now.getTime() - lastRenew >= renewEveryMs) {
          if (!(await renewLease(deps.db, lease, now, deps.leaseSeconds))) {
            log.warn('work lease lost at renewal; stopped');
            return 'fenced';
          }
          lastRenew = now.getTime();
        }
        await sleep(Math.min(1000, Math.max(1, until - Date.now())));
      }
      const now = deps.clock.now();
      if (now.getTime() - lastRenew >= renewEveryMs) {
        if (!(await renewLease(deps.db, lease, now, deps.leaseSeconds))) return 'fenced';
        lastRenew = now.getTime();
      }
    }
  } catch (err) {
    log.error({ err }, 'work item failed; retrying later');
    await retryWorkItem(deps.db, lease, deps.clock.now(), (err as Error).message || 'failed', RETRY_AFTER_SECONDS).catch((e: unknown) => log.error({ err: e }, 'could not release the work item'));
    return 'failed';
  }
}
