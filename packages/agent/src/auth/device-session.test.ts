// The §3.3 reaction table, driven through real HTTPS against a TLS stand-in that answers each
// engine error: refresh-and-retry, clock resync, reauth with a DPoP nonce, re-enrol and revoked.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeCompactJwsPayload } from '../../test/jws';
import { makeAgentRoot, removeAgentRoots } from '../../test/agent-root';
import { startHttpsStub, type HttpsStub, type SeenRequest, type StubAnswer } from '../../test/https-stub';
import { makeTestPki, type TestPki } from '../../test/tls-fixtures';
import { deviceKeyFromIdentity, generateIdentity } from '../identity/device-key';
import { silentLog } from '../runtime/agent-log';
import { createAgentClock } from '../runtime/clock-offset';
import { systemRuntime } from '../runtime/runtime';
import { createAgentStore } from '../state/agent-store';
import { createAgentHttp } from '../transport/agent-http';
import { createDeviceSession } from './device-session';
import { LifecycleError } from './lifecycle-error';

const GUID = 'A1B2C3D4-0000-4000-8000-000000000001';
const tokens = (n: number) => ({ access_token: `access-${n}`, token_type: 'DPoP', expires_in: 900, refresh_token: `${String(n).padStart(2, '0')}${'r'.repeat(62)}`, refresh_expires_in: 2_592_000 });
const error = (status: number, code: string, extra: Partial<StubAnswer> = {}, details?: Record<string, unknown>): StubAnswer => ({
  status,
  body: { error: { code, message: code, request_id: 'r', ...(details ? { details } : {}) } },
  ...extra,
});

let pki: TestPki;
let stub: HttpsStub;
let script: Array<(r: SeenRequest) => StubAnswer | undefined> = [];

beforeAll(async () => {
  pki = makeTestPki();
  stub = await startHttpsStub({ key: pki.serverKey, cert: pki.serverCert }, (r) => {
    for (const [i, step] of script.entries()) {
      const answer = step(r);
      if (answer) {
        script.splice(i, 1);
        return answer;
      }
    }
    return { status: 200, body: { ok: true } };
  });
});
afterAll(async () => {
  await stub.close();
  pki.remove();
});
afterEach(() => {
  removeAgentRoots();
  script = [];
  stub.seen.length = 0;
});

async function session() {
  const identity = generateIdentity();
  const store = createAgentStore({ paths: makeAgentRoot() });
  const serverUrl = `https://127.0.0.1:${stub.port}`;
  await store.update(() => ({
    schema_version: 1,
    server_url: serverUrl,
    identity,
    agent: { guid: GUID },
    trust: { mode: 'ca', engine_ca_pem: pki.caPem },
    tokens: { access_token: 'access-0', access_expires_at: new Date(Date.now() + 800_000).toISOString(), refresh_token: tokens(0).refresh_token, refresh_expires_at: new Date(Date.now() + 86_400_000).toISOString() },
  }));
  const clock = createAgentClock({ now: Date.now });
  const http = createAgentHttp({ serverUrl, trust: { mode: 'ca', engine_ca_pem: pki.caPem }, privateKey: deviceKeyFromIdentity(identity).privateKey, clock });
  const s = await createDeviceSession({ http, store, clock, runtime: systemRuntime, log: silentLog });
  return { s, store, clock, http };
}

const on = (path: string, answer: StubAnswer) => (r: SeenRequest) => (r.url === path ? answer : undefined);
const paths = () => stub.seen.map((r) => r.url);

describe('device session reactions (§3.3)', () => {
  it('401 token_expired → refresh (new refresh token saved first) and one retry with the new token', async () => {
    const { s, store, http } = await session();
    script = [on('/api/agent/heartbeat', error(401, 'token_expired')), on('/api/agent/token/refresh', { status: 200, body: tokens(1) })];
    const res = await s.call({ method: 'POST', path: '/api/agent/heartbeat', body: {} });
    expect(res.status).toBe(200);
    expect(paths()).toEqual(['/api/agent/heartbeat', '/api/agent/token/refresh', '/api/agent/heartbeat']);
    expect(stub.seen[1]?.headers.authorization).toBeUndefined();
    expect(JSON.parse(stub.seen[1]!.body)).toEqual({ guid: GUID, refresh_token: tokens(0).refresh_token });
    expect(stub.seen[2]?.headers.authorization).toBe('DPoP access-1');
    expect((await store.load()).tokens?.refresh_token).toBe(tokens(1).refresh_token);
    http.close();
  });

  it('401 dpop_invalid → resync the clock from server_time, new proof, one retry', async () => {
    const { s, clock, http } = await session();
    const serverTime = new Date(Date.now() + 600_000);
    // The engine's Date headers agree with its server_time (10 min ahead of this host).
    const date = { date: serverTime.toUTCString() };
    script = [on('/api/agent/config', error(401, 'dpop_invalid', { headers: date }, { server_time: serverTime.toISOString() })), on('/api/agent/config', { status: 200, body: {}, headers: date })];
    await s.call({ method: 'GET', path: '/api/agent/config' });
    expect(paths()).toEqual(['/api/agent/config', '/api/agent/config']);
    expect(Math.abs(clock.offsetMs() - 600_000)).toBeLessThan(5000);
    const iat = (decodeCompactJwsPayload(String(stub.seen[1]?.headers.dpop)) as { iat: number }).iat;
    expect(Math.abs(iat * 1000 - serverTime.getTime())).toBeLessThan(5000);
    http.close();
  });

  it('P9/P10 (agent side): a refused refresh token → reauth; use_dpop_nonce → the same call again with the DPoP-Nonce', async () => {
    const { s, store, http } = await session();
    script = [
      on('/api/agent/token/refresh', error(401, 'refresh_token_reused')),
      on('/api/agent/token/reauth', error(401, 'use_dpop_nonce', { headers: { 'dpop-nonce': 'nonce-123' } })),
      on('/api/agent/token/reauth', { status: 200, body: tokens(2) }),
    ];
    await s.refresh();
    expect(paths()).toEqual(['/api/agent/token/refresh', '/api/agent/token/reauth', '/api/agent/token/reauth']);
    const first = decodeCompactJwsPayload(String(stub.seen[1]?.headers.dpop)) as { nonce?: string };
    const second = decodeCompactJwsPayload(String(stub.seen[2]?.headers.dpop)) as { nonce?: string };
    expect(first.nonce).toBeUndefined();
    expect(second.nonce).toBe('nonce-123');
    expect(JSON.parse(stub.seen[2]!.body)).toEqual({ guid: GUID });
    expect((await store.load()).tokens?.access_token).toBe('access-2');
    http.close();
  });

  it('device_purged, device_not_found, fingerprint_mismatch → re-enrol; device_revoked → revoked', async () => {
    const { s, http } = await session();
    for (const [status, code, kind] of [[401, 'device_purged', 'reenrol'], [401, 'device_not_found', 'reenrol'], [403, 'fingerprint_mismatch', 'reenrol'], [403, 'device_revoked', 'revoked']] as const) {
      script = [on('/api/agent/heartbeat', error(status, code))];
      const err = await s.call({ method: 'POST', path: '/api/agent/heartbeat', body: {} }).catch((e: unknown) => e);
      expect(err, code).toBeInstanceOf(LifecycleError);
      expect(err).toMatchObject({ kind, code });
    }
    http.close();
  });

  it('429 waits Retry-After (+ up to 1 s) and tries again; the heartbeat\'s single try does not', async () => {
    const { s, http } = await session();
    script = [on('/api/agent/details', error(429, 'rate_limited', { headers: { 'retry-after': '0' } }))];
    expect((await s.call({ method: 'POST', path: '/api/agent/details', body: {} })).status).toBe(200);
    expect(paths()).toEqual(['/api/agent/details', '/api/agent/details']);
    script = [on('/api/agent/heartbeat', error(503, 'unavailable'))];
    await expect(s.call({ method: 'POST', path: '/api/agent/heartbeat', body: {}, maxTries: 1 })).rejects.toMatchObject({ code: 'unavailable' });
    http.close();
  });
});
