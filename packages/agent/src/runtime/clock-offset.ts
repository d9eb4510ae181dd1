// The corrected agent clock (agent-protocol.md §0): offset = median of the last 5 samples taken
// from response `Date` headers and ack `server_time`, used for DPoP `iat` and token expiry.

export const CLOCK_SAMPLES = 5;
/** Above this offset the agent reports role health `clock_skew` (warning only). */
export const CLOCK_SKEW_WARNING_MS = 300_000;

export interface AgentClock {
  /** Corrected time. */
  now(): Date;
  /** Adds a sample: the server's time and the local time it was seen at. */
  sample(serverTimeMs: number, localTimeMs?: number): void;
  /** Forgets the history and takes `serverTimeMs` as the only sample (after a dpop_invalid, §3.3). */
  resync(serverTimeMs: number, localTimeMs?: number): void;
  offsetMs(): number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function createAgentClock(deps: { readonly now: () => number }): AgentClock {
  const samples: number[] = [];
  let offset = 0;
  const add = (serverTimeMs: number, localTimeMs: number | undefined) => {
    if (!Number.isFinite(serverTimeMs)) return;
    samples.push(serverTimeMs - (localTimeMs ?? deps.now()));
    if (samples.length > CLOCK_SAMPLES) samples.shift();
    offset = Math.round(median(samples));
  };
  return {
    now: () => new Date(deps.now() + offset),
    sample: add,
    resync(serverTimeMs, localTimeMs) {
      samples.length = 0;
      add(serverTimeMs, localTimeMs);
    },
    offsetMs: () => offset,
  };
}
