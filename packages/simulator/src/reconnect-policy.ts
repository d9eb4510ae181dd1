// The agent's socket reconnect policy (agent-protocol §5.2) and the REST backoff of §3.3, as pure
// functions of a random source so tests can pin them: every wait is full jitter within its range.

export type Random = () => number;

/** Why the last socket ended or failed; picks the row of the §5.2 table. */
export type ReconnectCause =
  | { readonly kind: 'engine_shutdown'; readonly reconnectWindowMs: number }
  | { readonly kind: 'lost' }
  | { readonly kind: 'server_busy'; readonly retryAfterMs: number }
  | { readonly kind: 'token_refreshed' }
  | { readonly kind: 'revoked' };

export const RECONNECT_RESET_AFTER_MS = 60_000;
const FIRST_LOSS_MIN_MS = 1_000;
const FIRST_LOSS_MAX_MS = 15_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_UNIT_MS = 5_000;
const BACKOFF_CAP_MS = 300_000;

const uniform = (random: Random, min: number, max: number) => min + random() * (max - min);

/**
 * Wait before the next connection attempt. `attempt` is n: 1 for the first try after a loss,
 * counted by the caller (server_busy does not count, §5.2). `null` means stop.
 */
export function reconnectDelayMs(cause: ReconnectCause, attempt: number, random: Random = Math.random): number | null {
  switch (cause.kind) {
    case 'revoked':
      return null;
    case 'engine_shutdown':
      return uniform(random, FIRST_LOSS_MIN_MS, Math.max(FIRST_LOSS_MIN_MS, cause.reconnectWindowMs));
    case 'server_busy':
      return cause.retryAfterMs + random() * 1_000;
    case 'token_refreshed':
      return uniform(random, 1_000, 3_000);
    case 'lost':
      if (attempt <= 1) return uniform(random, FIRST_LOSS_MIN_MS, FIRST_LOSS_MAX_MS);
      return BACKOFF_BASE_MS + random() * Math.min(BACKOFF_CAP_MS, BACKOFF_UNIT_MS * 2 ** (attempt - 2));
  }
}

/** §3.3 REST retries on 5xx and network errors: full jitter, base 1 s, cap 60 s, 5 tries per operation. */
export const REST_MAX_TRIES = 5;
export function restBackoffMs(tryIndex: number, random: Random = Math.random): number {
  return random() * Math.min(60_000, 1_000 * 2 ** tryIndex);
}

/** §3.3: 429 → `Retry-After` + U(0, 1 s). */
export function retryAfterDelayMs(retryAfterSeconds: number, random: Random = Math.random): number {
  return Math.max(0, retryAfterSeconds) * 1_000 + random() * 1_000;
}

/** §3.1: refresh at a random point between 70 % and 85 % of the lifetime, and always under 60 s left. */
export function refreshAtMs(issuedAtMs: number, expiresInS: number, random: Random = Math.random): number {
  const lifetime = expiresInS * 1_000;
  const at = issuedAtMs + lifetime * (0.7 + random() * 0.15);
  return Math.min(at, issuedAtMs + lifetime - 60_000);
}

/** §4.3: 20 s + U(0, 5 s) (the ack may raise the interval). */
export function heartbeatDelayMs(intervalS: number, jitterS: number, random: Random = Math.random): number {
  return intervalS * 1_000 + random() * jitterS * 1_000;
}
