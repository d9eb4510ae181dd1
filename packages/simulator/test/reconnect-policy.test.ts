// The §5.2 reconnect table and the §3.1/§3.3/§4.3 timings, pinned with a fixed random source.

import { describe, expect, it } from 'vitest';
import { heartbeatDelayMs, reconnectDelayMs, refreshAtMs, restBackoffMs, retryAfterDelayMs } from '../src/reconnect-policy';

const at = (v: number) => () => v;

describe('reconnect policy (agent-protocol §5.2)', () => {
  it('after engine_shutdown waits U(1 s, reconnect_window_ms)', () => {
    expect(reconnectDelayMs({ kind: 'engine_shutdown', reconnectWindowMs: 20_000 }, 1, at(0))).toBe(1_000);
    expect(reconnectDelayMs({ kind: 'engine_shutdown', reconnectWindowMs: 20_000 }, 1, at(1))).toBe(20_000);
  });

  it('first unexpected loss waits U(1 s, 15 s); try n ≥ 2 waits 1 s + U(0, min(300 s, 5 s × 2^(n−2)))', () => {
    expect(reconnectDelayMs({ kind: 'lost' }, 1, at(0))).toBe(1_000);
    expect(reconnectDelayMs({ kind: 'lost' }, 1, at(1))).toBe(15_000);
    expect(reconnectDelayMs({ kind: 'lost' }, 2, at(1))).toBe(6_000);
    expect(reconnectDelayMs({ kind: 'lost' }, 3, at(1))).toBe(11_000);
    expect(reconnectDelayMs({ kind: 'lost' }, 4, at(0.5))).toBe(11_000);
    expect(reconnectDelayMs({ kind: 'lost' }, 20, at(1))).toBe(301_000);
  });

  it('server_busy waits retry_after_ms + U(0, 1 s); a refreshed token 1 s + U(0, 2 s); revoked stops', () => {
    expect(reconnectDelayMs({ kind: 'server_busy', retryAfterMs: 7_000 }, 3, at(1))).toBe(8_000);
    expect(reconnectDelayMs({ kind: 'token_refreshed' }, 1, at(0))).toBe(1_000);
    expect(reconnectDelayMs({ kind: 'token_refreshed' }, 1, at(1))).toBe(3_000);
    expect(reconnectDelayMs({ kind: 'revoked' }, 1, at(0.5))).toBeNull();
  });
});

describe('REST and token timings', () => {
  it('REST backoff is full jitter, base 1 s, capped at 60 s (§3.3)', () => {
    expect(restBackoffMs(0, at(1))).toBe(1_000);
    expect(restBackoffMs(3, at(1))).toBe(8_000);
    expect(restBackoffMs(10, at(1))).toBe(60_000);
    expect(restBackoffMs(10, at(0))).toBe(0);
  });

  it('429 waits Retry-After + U(0, 1 s)', () => {
    expect(retryAfterDelayMs(3, at(0.5))).toBe(3_500);
  });

  it('refresh lands between 70 % and 85 % of the lifetime (§3.1)', () => {
    expect(refreshAtMs(0, 900, at(0))).toBe(630_000);
    expect(refreshAtMs(0, 900, at(1))).toBe(765_000);
    // A short lifetime still refreshes with at least 60 s left.
    expect(refreshAtMs(0, 100, at(1))).toBe(40_000);
  });

  it('heartbeats every interval + U(0, jitter) (§4.3)', () => {
    expect(heartbeatDelayMs(20, 5, at(0))).toBe(20_000);
    expect(heartbeatDelayMs(20, 5, at(1))).toBe(25_000);
  });
});
