// Admission control for new agent sockets (agent-protocol §5.1): a token bucket per node, checked
// before any crypto, with a short paced queue behind the burst; the rest is told to come back
// after U(5 s, 60 s).

import type { Clock } from '../clock';

export const ADMISSION_BURST = 200;
export const BUSY_RETRY_MIN_MS = 5_000;
export const BUSY_RETRY_MAX_MS = 60_000;

export type AdmissionAnswer =
  /** Go ahead after `waitMs` (0: now); the token is already taken. */
  | { readonly ok: true; readonly waitMs: number }
  | { readonly ok: false; readonly retryAfterMs: number };

export interface Admission {
  admit(): AdmissionAnswer;
}

/**
 * `queueMs` lets an arrival past the burst wait for the token the bucket will have by then instead
 * of being refused: the rate admitted stays `ratePerSecond`, but a node whose event loop was busy
 * for a few hundred ms (a restart storm) no longer finds a burst of upgrades queued in the kernel
 * and refuses all but 200 of them for up to a minute. 0 refuses past the burst at once.
 */
export function createAdmission(deps: {
  readonly clock: Clock;
  readonly ratePerSecond: number;
  readonly burst?: number;
  readonly queueMs?: number;
  readonly random?: () => number;
}): Admission {
  const burst = Math.max(1, Math.min(deps.burst ?? ADMISSION_BURST, deps.ratePerSecond));
  /** Tokens may be owed down to minus this many: the arrivals waiting for their turn. */
  const queued = Math.floor((deps.ratePerSecond * (deps.queueMs ?? 0)) / 1000);
  const random = deps.random ?? Math.random;
  let tokens = burst;
  let last = deps.clock.now().getTime();
  return {
    admit() {
      const now = deps.clock.now().getTime();
      tokens = Math.min(burst, tokens + (Math.max(0, now - last) * deps.ratePerSecond) / 1000);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return { ok: true, waitMs: 0 };
      }
      if (tokens - 1 >= -queued) {
        tokens -= 1;
        // The bucket owes `-tokens` tokens now; this arrival's is the last of them to refill.
        return { ok: true, waitMs: Math.ceil((-tokens * 1000) / deps.ratePerSecond) };
      }
      return { ok: false, retryAfterMs: Math.round(BUSY_RETRY_MIN_MS + random() * (BUSY_RETRY_MAX_MS - BUSY_RETRY_MIN_MS)) };
    },
  };
}
