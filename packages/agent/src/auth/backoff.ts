// Retry waits of the reaction table (agent-protocol.md §3.3): 429 → Retry-After + U(0, 1 s);
// 5xx and network → full-jitter backoff, base 1 s, cap 60 s, at most 5 tries per operation.
import { uniform, type AgentRuntime } from '../runtime/runtime';
import { AgentApiError } from '../transport/agent-error';

export const MAX_TRIES = 5;
export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 60_000;

/** Full jitter: U(0, min(cap, base · 2^(try−1))) for try ≥ 1. */
export function fullJitterDelay(tryNumber: number, random: number): number {
  return random * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, tryNumber - 1));
}

/** Wait before the next try, or undefined when `err` is not retryable. */
export function retryDelay(err: unknown, tryNumber: number, runtime: Pick<AgentRuntime, 'random'>): number | undefined {
  if (!(err instanceof AgentApiError)) return undefined;
  if (err.status === 429) return (err.extra.retryAfterMs ?? BACKOFF_BASE_MS) + uniform(runtime, 0, 1000);
  if (err.status === 0 || err.status >= 500) return fullJitterDelay(tryNumber, runtime.random());
  return undefined;
}

/** Runs `operation` up to `maxTries` (5) times, waiting per retryDelay between tries. */
export async function withRetries<T>(operation: () => Promise<T>, runtime: AgentRuntime, signal?: AbortSignal, maxTries = MAX_TRIES): Promise<T> {
  for (let tryNumber = 1; ; tryNumber++) {
    try {
      return await operation();
    } catch (err) {
      const wait = retryDelay(err, tryNumber, runtime);
      if (wait === undefined || tryNumber >= maxTries || signal?.aborted) throw err;
      await runtime.sleep(wait, signal);
      if (signal?.aborted) throw err;
    }
  }
}
