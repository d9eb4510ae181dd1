// Admission control for new agent sockets (agent-protocol §5.1): a token bucket per node, checked
// before any crypto; the excess is told to come back after U(5 s, 60 s).

import type { Clock } from '../clock';

export const ADMISSION_BURST = 200;
export const BUSY_RETRY_MIN_MS = 5_000;
export const BUSY_RETRY_MAX_MS = 60_000;

export interface Admission {
  /** Takes one token; returns the retry delay in ms when none is left. */
  admit(): { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };
}

export function createAdmission(deps: { readonly clock: Clock; readonly ratePerSecond: number; readonly burst?: number; readonly random?: () => number }): Admission {
  const burst = Math.max(1, Math.min(deps.burst ?? ADMISSION_BURST, deps.ratePerSecond));
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
        return { ok: true };
      }
      return { ok: false, retryAfterMs: Math.round(BUSY_RETRY_MIN_MS + random() * (BUSY_RETRY_MAX_MS - BUSY_RETRY_MIN_MS)) };
    },
  };
}
