// The §5.2 reconnect table: first try U(1, 15 s); try n ≥ 2 waits 1 s + U(0, min(300 s, 5 s·2^(n−2)));
// server_busy waits retry_after_ms + U(0, 1 s) and is not counted; n resets after 60 s connected;
// engine_shutdown waits U(1 s, window); token errors 1 s + U(0, 2 s); device_revoked stops.
import { describe, expect, it } from 'vitest';
import { manualRuntime } from '../../test/seeded-runtime';
import { createReconnectPolicy, lostDelay } from './reconnect-policy';

const SAMPLES = 4000;

function stats(values: number[]) {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { min, max, mean };
}

/** Fraction of samples in each of `bins` equal bins of [lo, hi): uniform means each near 1/bins. */
function binShares(values: number[], lo: number, hi: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins))]! += 1;
  return counts.map((c) => c / values.length);
}

describe('P16 (agent side): reconnect policy (§5.2)', () => {
  it('first try after a loss is uniform on [1 s, 15 s]', () => {
    const runtime = manualRuntime(7);
    const values = Array.from({ length: SAMPLES }, () => lostDelay(1, runtime));
    const s = stats(values);
    expect(s.min).toBeGreaterThanOrEqual(1000);
    expect(s.max).toBeLessThanOrEqual(15_000);
    expect(s.mean).toBeGreaterThan(7500);
    expect(s.mean).toBeLessThan(8500);
    for (const share of binShares(values, 1000, 15_000, 10)) expect(share).toBeGreaterThan(0.08);
  });

  it('try n ≥ 2 is 1 s + U(0, min(300 s, 5 s·2^(n−2)))', () => {
    const runtime = manualRuntime(11);
    for (const [n, span] of [[2, 5000], [3, 10_000], [4, 20_000], [7, 160_000], [8, 300_000], [20, 300_000]] as const) {
      const values = Array.from({ length: SAMPLES }, () => lostDelay(n, runtime));
      const s = stats(values);
      expect(s.min, `n=${n}`).toBeGreaterThanOrEqual(1000);
      expect(s.max, `n=${n}`).toBeLessThanOrEqual(1000 + span);
      expect(s.mean, `n=${n}`).toBeGreaterThan(1000 + span * 0.45);
      expect(s.mean, `n=${n}`).toBeLessThan(1000 + span * 0.55);
      for (const share of binShares(values, 1000, 1000 + span, 5)) expect(share, `n=${n}`).toBeGreaterThan(0.16);
    }
  });

  it('counts consecutive losses, does not count server_busy, and resets n after 60 s connected', async () => {
    const runtime = manualRuntime(3);
    const policy = createReconnectPolicy(runtime);
    const first = policy.next({ kind: 'lost' });
    expect(first).toBeGreaterThanOrEqual(1000);
    expect(first).toBeLessThanOrEqual(15_000);
    expect(policy.attempts()).toBe(1);
    const busy = policy.next({ kind: 'server_busy', retryAfterMs: 20_000 });
    expect(busy).toBeGreaterThanOrEqual(20_000);
    expect(busy).toBeLessThanOrEqual(21_000);
    expect(policy.attempts()).toBe(1);
    const second = policy.next({ kind: 'lost' });
    expect(second).toBeLessThanOrEqual(6000);
    expect(policy.attempts()).toBe(2);
    // Connected for only 30 s: n keeps counting.
    policy.onConnected();
    await runtime.advance(30_000);
    policy.onDisconnected();
    policy.next({ kind: 'lost' });
    expect(policy.attempts()).toBe(3);
    // Connected for 60 s: the next loss is a first try again.
    policy.onConnected();
    await runtime.advance(60_000);
    policy.onDisconnected();
    const again = policy.next({ kind: 'lost' });
    expect(policy.attempts()).toBe(1);
    expect(again).toBeGreaterThanOrEqual(1000);
  });

  it('engine_shutdown waits U(1 s, window), token errors 1 s + U(0, 2 s), device_revoked stops', () => {
    const runtime = manualRuntime(5);
    const policy = createReconnectPolicy(runtime);
    const shutdown = Array.from({ length: SAMPLES }, () => policy.next({ kind: 'engine_shutdown', reconnectWindowMs: 40_000 }) as number);
    const s = stats(shutdown);
    expect(s.min).toBeGreaterThanOrEqual(1000);
    expect(s.max).toBeLessThanOrEqual(40_000);
    expect(s.mean).toBeGreaterThan(19_000);
    expect(s.mean).toBeLessThan(22_000);
    const token = Array.from({ length: SAMPLES }, () => policy.next({ kind: 'token' }) as number);
    expect(stats(token).min).toBeGreaterThanOrEqual(1000);
    expect(stats(token).max).toBeLessThanOrEqual(3000);
    expect(policy.next({ kind: 'device_revoked' })).toBe('stop');
  });
});
