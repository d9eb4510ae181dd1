// §3.1 refresh point and §3.3 retry waits: refresh at a random 70–85 % of the lifetime or when
// under 60 s remain; 429 waits Retry-After + U(0, 1 s); 5xx/network full jitter (base 1 s, cap 60 s).
import { describe, expect, it } from 'vitest';
import { manualRuntime, seededRandom } from '../../test/seeded-runtime';
import { AgentApiError } from '../transport/agent-error';
import { fullJitterDelay, MAX_TRIES, retryDelay, withRetries } from './backoff';
import { accessExpiresAt, chooseRefreshAt, isRefreshDue } from './token-timing';

describe('refresh point (§3.1)', () => {
  it('stores access_expires_at as now + expires_in − 5 s', () => {
    expect(accessExpiresAt(1_000_000, 900)).toBe(1_000_000 + 895_000);
  });

  it('picks points spread over 70–85 % of a 900 s token', () => {
    const random = seededRandom(9);
    const obtained = 0;
    const expires = accessExpiresAt(obtained, 900);
    const fractions = Array.from({ length: 5000 }, () => chooseRefreshAt(obtained, expires, random()) / expires);
    expect(Math.min(...fractions)).toBeGreaterThanOrEqual(0.7);
    expect(Math.max(...fractions)).toBeLessThanOrEqual(0.85);
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    expect(mean).toBeGreaterThan(0.77);
    expect(mean).toBeLessThan(0.78);
    // Spread, not clustered: each 1/5 of the window gets a fair share.
    const bins = [0, 0, 0, 0, 0];
    for (const f of fractions) bins[Math.min(4, Math.floor(((f - 0.7) / 0.15) * 5))]! += 1;
    for (const b of bins) expect(b / fractions.length).toBeGreaterThan(0.17);
  });

  it('refreshes with under 60 s left even when the window point is later (short tokens)', () => {
    const expires = 100_000; // a 100 s token: 85 % would leave only 15 s
    expect(chooseRefreshAt(0, expires, 0.99)).toBe(40_000);
    expect(isRefreshDue(39_999, 90_000, expires)).toBe(false);
    expect(isRefreshDue(40_001, 90_000, expires)).toBe(true);
    expect(isRefreshDue(10_000, 5_000, 900_000)).toBe(true);
  });
});

describe('retry waits (§3.3)', () => {
  it('429 waits Retry-After + U(0, 1 s)', () => {
    const runtime = manualRuntime(2);
    const err = new AgentApiError(429, 'rate_limited', 'slow down', { retryAfterMs: 7000 });
    for (let i = 0; i < 200; i++) {
      const wait = retryDelay(err, 1, runtime) ?? -1;
      expect(wait).toBeGreaterThanOrEqual(7000);
      expect(wait).toBeLessThanOrEqual(8000);
    }
  });

  it('5xx and network use full jitter, base 1 s, cap 60 s; other 4xx are not retried', () => {
    expect(fullJitterDelay(1, 0.999)).toBeLessThanOrEqual(1000);
    expect(fullJitterDelay(3, 0.999)).toBeLessThanOrEqual(4000);
    expect(fullJitterDelay(12, 0.999)).toBeLessThanOrEqual(60_000);
    expect(fullJitterDelay(12, 0.999)).toBeGreaterThan(59_000);
    const runtime = manualRuntime(4);
    expect(retryDelay(new AgentApiError(503, 'engine_locked', 'x'), 1, runtime)).toBeDefined();
    expect(retryDelay(new AgentApiError(0, 'network', 'x'), 1, runtime)).toBeDefined();
    expect(retryDelay(new AgentApiError(403, 'device_revoked', 'x'), 1, runtime)).toBeUndefined();
  });

  it('tries an operation at most 5 times', async () => {
    const runtime = manualRuntime(6);
    let calls = 0;
    const run = withRetries(async () => {
      calls += 1;
      throw new AgentApiError(502, 'bad_gateway', 'down');
    }, runtime);
    const settled = run.then(() => 'resolved', (e: unknown) => (e as AgentApiError).code);
    await runtime.advance(10 * 60_000);
    expect(await settled).toBe('bad_gateway');
    expect(calls).toBe(MAX_TRIES);
  });
});
