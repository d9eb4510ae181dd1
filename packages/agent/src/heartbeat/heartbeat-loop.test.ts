// §4.3 cadence: every interval + U(0, jitter) — 20 s + U(0, 5 s) by default, as the ack raises it
// up to 120 s — and role_health only when it changed since the last acked beat.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/seeded-runtime';
import { nextBeatDelay, roleHealthToSend } from './heartbeat-loop';

describe('P14 (agent side): heartbeat cadence', () => {
  it('waits 20 s + U(0, 5 s) by default, spread over the whole window', () => {
    const random = seededRandom(21);
    const delays = Array.from({ length: 5000 }, () => nextBeatDelay(20, 5, { random }));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(20_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(25_000);
    const bins = [0, 0, 0, 0, 0];
    for (const d of delays) bins[Math.min(4, Math.floor((d - 20_000) / 1000))]! += 1;
    for (const b of bins) expect(b / delays.length).toBeGreaterThan(0.17);
  });

  it('follows an ack that raises the interval, within 20–120 s', () => {
    const random = seededRandom(3);
    expect(nextBeatDelay(60, 5, { random })).toBeGreaterThanOrEqual(60_000);
    expect(nextBeatDelay(60, 5, { random })).toBeLessThanOrEqual(65_000);
    expect(nextBeatDelay(500, 0, { random })).toBe(120_000);
    expect(nextBeatDelay(1, 0, { random })).toBe(20_000);
  });
});

describe('role_health in the heartbeat', () => {
  const healthy = [{ role_id: 'system:clock_skew', status: 'healthy' as const, detail: null, checked_at: '2026-11-26T07:00:00Z' }];

  it('is sent the first time and when it changes, not when only checked_at moved', () => {
    const first = roleHealthToSend(healthy, undefined);
    expect(first.send).toEqual(healthy);
    const again = roleHealthToSend([{ ...healthy[0]!, checked_at: '2026-11-26T07:00:20Z' }], first.key);
    expect(again.send).toBeUndefined();
    const changed = roleHealthToSend([{ ...healthy[0]!, status: 'warning', detail: 'clock offset 400 s' }], first.key);
    expect(changed.send?.[0]?.status).toBe('warning');
  });
});
