// The socket reconnect policy of agent-protocol.md §5.2 as a small pure object: every wait comes
// from the injected random source, so tests check the distributions without a network.
import { uniform, type AgentRuntime } from '../runtime/runtime';

export const FIRST_TRY_MS = Object.freeze({ min: 1000, max: 15_000 });
export const BACKOFF_UNIT_MS = 5000;
export const BACKOFF_CAP_MS = 300_000;
export const STABLE_AFTER_MS = 60_000;

export type ReconnectReason =
  /** Ping timeout, transport close, a failed attempt. */
  | { readonly kind: 'lost' }
  | { readonly kind: 'engine_shutdown'; readonly reconnectWindowMs: number }
  | { readonly kind: 'server_busy'; readonly retryAfterMs: number }
  /** token_expired / token_version_mismatch / reauth_required, after the refresh. */
  | { readonly kind: 'token' }
  | { readonly kind: 'device_revoked' };

export interface ReconnectPolicy {
  /** ms to wait before the next attempt, or 'stop'. */
  next(reason: ReconnectReason): number | 'stop';
  onConnected(): void;
  onDisconnected(): void;
  /** Attempts counted since the last stable connection (n of §5.2). */
  attempts(): number;
}

/** Wait for the n-th counted try after a loss (n ≥ 1). */
export function lostDelay(n: number, runtime: Pick<AgentRuntime, 'random'>): number {
  if (n <= 1) return uniform(runtime, FIRST_TRY_MS.min, FIRST_TRY_MS.max);
  return 1000 + uniform(runtime, 0, Math.min(BACKOFF_CAP_MS, BACKOFF_UNIT_MS * 2 ** (n - 2)));
}

export function createReconnectPolicy(runtime: Pick<AgentRuntime, 'random' | 'now'>): ReconnectPolicy {
  let n = 0;
  let connectedAt: number | undefined;
  return {
    next(reason) {
      switch (reason.kind) {
        case 'device_revoked':
          return 'stop';
        case 'server_busy':
          return reason.retryAfterMs + uniform(runtime, 0, 1000); // not counted in n
        case 'token':
          return 1000 + uniform(runtime, 0, 2000);
        case 'engine_shutdown':
          n += 1;
          return uniform(runtime, 1000, Math.max(1000, reason.reconnectWindowMs));
        case 'lost':
          n += 1;
          return lostDelay(n, runtime);
      }
    },
    onConnected() {
      connectedAt = runtime.now();
    },
    onDisconnected() {
      if (connectedAt !== undefined && runtime.now() - connectedAt >= STABLE_AFTER_MS) n = 0;
      connectedAt = undefined;
    },
    attempts: () => n,
  };
}
