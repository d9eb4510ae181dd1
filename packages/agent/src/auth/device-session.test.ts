// The §3.3 reaction table against the real engine over TLS, each condition provoked on the engine
// itself: an access token it issued that has expired, a host clock 10 min behind, a refresh token
// presented again after rotation, operator revoke and purge, and the per-device REST budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeartbeatSchema, type Heartbeat } from '@borealis/protocol/agent';
import { makeAgentRoot, removeAgentRoots } from '../../test/agent-root';
import { recordingHttp, startEnrolledEngine, type EnrolledAgent, type EnrolledEngine } from '../../test/enrolled-engine';
import { silentLog } from '../runtime/agent-log';
import { systemRuntime, type AgentRuntime } from '../runtime/runtime';
import { createDeviceSession } from './device-session';
import { LifecycleError } from './lifecycle-error';

/** The engine's injected clock: real time plus an offset a test moves forward (time never goes back). */
const engineClock = { offsetMs: 0, now: () => new Date(Date.now() + engineClock.offsetMs) };
let e: EnrolledEngine;

beforeAll(async () => {
  e = await startEnrolledEngine(makeAgentRoot(), { clock: engineClock });
}, 120_000);
afterAll(async () => {
  await e?.close();
  removeAgentRoots();
});

async function session(agent: EnrolledAgent, runtime: AgentRuntime = systemRuntime) {
  const http = recordingHttp(agent.http);
  const s = await createDeviceSession({ http, store: agent.store, clock: agent.clock, runtime, log: silentLog });
  const paths = () => http.sent.map((r) => `${r.path} ${r.status}${r.code ? ` ${r.code}` : ''}`);
  return { s, http, paths };
}

const CONFIG = { method: 'GET', path: '/api/agent/config' } as const;

describe('device session reactions (§3.3)', () => {
  it('401 token_expired → refresh (new refresh token saved first) and one retry with the new token', async () => {
    // An access token the engine issued 1000 s ago (900 s lifetime), which the agent still
    // believes fresh, as after a suspend: only the engine can tell it has expired.
    const db = e.t.engine.ctx.db;
    const { jkt } = await db.selectFrom('device_keys').select('jkt').where('device_guid', '=', e.rowGuid).where('retired_at', 'is', null).executeTakeFirstOrThrow();
    engineClock.offsetMs -= 1000_000;
    const old = await e.t.engine.ctx.security!.deviceTrust.issueAccessToken(db, { guid: e.rowGuid, jkt }).finally(() => (engineClock.offsetMs += 1000_000));
    const before = await e.store.update((f) => ({ ...f!, tokens: { ...f!.tokens!, access_token: old!.token, access_expires_at: new Date(Date.now() + 800_000).toISOString() } }));

    const { s, http, paths } = await session(e);
    const res = await s.call(CONFIG);
    expect(res.status).toBe(200);
    expect(paths()).toEqual(['/api/agent/config 401 token_expired', '/api/agent/token/refresh 200', '/api/agent/config 200']);
    const [first, refresh, retry] = http.sent;
    expect(first?.accessToken).toBe(old!.token);
    expect(refresh?.accessToken).toBeUndefined();
    expect(refresh?.body).toEqual({ guid: e.guid, refresh_token: before.tokens!.refresh_token });
    const after = await e.store.load();
    expect(after.tokens?.refresh_token).not.toBe(before.tokens!.refresh_token);
    expect(retry?.accessToken).toBe(after.tokens?.access_token);
    expect(after.tokens?.access_token).not.toBe(old!.token);
  });

  it('401 dpop_invalid → resync the clock from server_time, new proof, one retry', async () => {
    // This host's clock runs 10 min behind the engine's: its first proof is outside the 60 s window.
    const agent = await e.enroll(makeAgentRoot(), { now: () => Date.now() - 600_000 });
    const { s, paths } = await session(agent);
    const res = await s.call(CONFIG);
    expect(res.status).toBe(200);
    expect(paths()).toEqual(['/api/agent/config 401 dpop_invalid', '/api/agent/config 200']);
    // The engine accepted the second proof, so its iat was within 60 s of the engine's time.
    expect(Math.abs(agent.clock.offsetMs() - (600_000 + engineClock.offsetMs))).toBeLessThan(5000);
  });

  it('P9/P10 (agent side): a refused refresh token → reauth; use_dpop_nonce → the same call again with the DPoP-Nonce', async () => {
    const { s, http, paths } = await session(e);
    // Rotate twice, then present the first token again: its child was already used, so the engine
    // detects reuse and revokes the family (§3.4 step 8).
    const original = (await e.store.load()).tokens!.refresh_token;
    await s.refresh();
    await s.refresh();
    await e.store.update((f) => ({ ...f!, tokens: { ...f!.tokens!, refresh_token: original } }));
    http.sent.length = 0;

    await s.refresh();
    expect(paths()).toEqual(['/api/agent/token/refresh 401 refresh_token_reused', '/api/agent/token/reauth 401 use_dpop_nonce', '/api/agent/token/reauth 200']);
    const [, first, second] = http.sent;
    expect(first?.nonce).toBeUndefined();
    expect(second?.nonce).toEqual(expect.any(String));
    expect(second?.body).toEqual({ guid: e.guid });
    const tokens = (await e.store.load()).tokens!;
    expect(tokens.refresh_token).not.toBe(original);
    // The reauth's tokens are the ones saved: the engine takes them.
    expect((await s.call(CONFIG)).status).toBe(200);
    expect(http.sent.at(-1)?.accessToken).toBe(tokens.access_token);
  });

  it('device_purged, device_not_found, fingerprint_mismatch → re-enrol; device_revoked → revoked', async () => {
    const db = e.t.engine.ctx.db;
    const expectLifecycle = async (agent: EnrolledAgent, kind: string, code: string) => {
      const { s } = await session(agent);
      const err = await s.call(CONFIG).catch((x: unknown) => x);
      expect(err, code).toBeInstanceOf(LifecycleError);
      expect(err, code).toMatchObject({ kind, code });
    };

    // An operator purges the device: its tokens are below the purge barrier.
    const purged = await e.enroll(makeAgentRoot());
    expect((await e.admin.client.post(`/api/devices/${purged.rowGuid}/purge`)).statusCode).toBe(200);
    await expectLifecycle(purged, 'reenrol', 'device_purged');
    // Without the barrier (a database restored from before the purge was recorded) the row is simply gone.
    await db.deleteFrom('device_purge_barriers').where('device_guid', '=', purged.rowGuid).execute();
    await expectLifecycle(purged, 'reenrol', 'device_not_found');

    // The device row names another key than the one this agent's token was issued for.
    const rekeyed = await e.enroll(makeAgentRoot());
    await db.updateTable('devices').set({ ssl_key_fingerprint: 'f'.repeat(64) }).where('guid', '=', rekeyed.rowGuid).execute();
    await expectLifecycle(rekeyed, 'reenrol', 'fingerprint_mismatch');

    // An operator revokes the device: the token_version bump sends the agent to refresh, its family
    // is revoked, and reauth is refused with device_revoked.
    const revoked = await e.enroll(makeAgentRoot());
    expect((await e.admin.client.post(`/api/devices/${revoked.rowGuid}/revoke`)).statusCode).toBe(200);
    await expectLifecycle(revoked, 'revoked', 'device_revoked');
  }, 60_000);

  it('429 waits Retry-After (+ up to 1 s) and tries again; the heartbeat\'s single try does not', async () => {
    const agent = await e.enroll(makeAgentRoot());
    const waits: number[] = [];
    // The agent's real waits, recorded.
    const runtime: AgentRuntime = { ...systemRuntime, sleep: (ms, signal) => (waits.push(ms), systemRuntime.sleep(ms, signal)) };
    const { s, http, paths } = await session(agent, runtime);

    // The engine's budget is 60 REST calls per device and minute, counted from the first call. Use
    // it up, then move the engine's clock so that little of that minute is left (the proofs stay
    // within the 60 s DPoP window), so Retry-After is a few seconds rather than a minute.
    const started = Date.now();
    for (let i = 0; i < 60; i++) expect((await s.call(CONFIG)).status).toBe(200);
    engineClock.offsetMs += Math.max(0, 55_000 - (Date.now() - started));
    http.sent.length = 0;

    await expect(s.call({ method: 'POST', path: '/api/agent/heartbeat', body: heartbeat(agent), maxTries: 1 })).rejects.toMatchObject({ status: 429, code: 'rate_limited' });
    expect(paths()).toEqual(['/api/agent/heartbeat 429 rate_limited']);
    expect(waits).toEqual([]);

    http.sent.length = 0;
    expect((await s.call(CONFIG)).status).toBe(200);
    expect(paths()).toEqual(['/api/agent/config 429 rate_limited', '/api/agent/config 200']);
    const retryAfterMs = http.sent[0]?.retryAfterMs;
    expect(retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(retryAfterMs!);
    expect(waits[0]).toBeLessThan(retryAfterMs! + 1000);
  }, 90_000);
});

function heartbeat(agent: EnrolledAgent): Heartbeat {
  return HeartbeatSchema.parse({
    seq: 1,
    sent_at: new Date().toISOString(),
    agent_id: `test_${agent.guid}_SYSTEM`,
    hostname: 'module-test',
    service_mode: 'system',
    agent_version: '0.1.0',
    release_channel: 'stable',
    boot_id: '5f0c6a38-2d7e-4f55-9a43-0d2c1f6b7e11',
    uptime_s: 60,
    last_reboot: null,
    metrics: { cpu_percent: 1, memory_percent: 1, swap_percent: 0, load_1m: 0, load_5m: 0, load_15m: 0, process_count: 10 },
    disks: [],
    last_user: null,
    logged_in_users: [],
    internal_ip: null,
    inventory_hashes: {},
  });
}
