// P1 (agent-protocol.md §1, §12): the agent trusts only the pinned CA, verifies host names, never
// speaks http:// and refuses an IP-literal server_url without a pin. Also the headers every request
// carries (the real engine checks the DPoP proof), gzip above 8 KiB and the clock offset from `Date`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { makeAgentRoot, removeAgentRoots } from '../../test/agent-root';
import { startEnrolledEngine, type EnrolledEngine } from '../../test/enrolled-engine';
import { startPlainTlsServer, type PlainTlsServer } from '../../test/plain-tls-server';
import { makeTestPki, type TestPki } from '../../test/tls-fixtures';
import { createAgentClock } from '../runtime/clock-offset';
import { AgentApiError } from './agent-error';
import { createAgentHttp } from './agent-http';
import { tlsTrustOptions } from './tls-trust';

// Certificates the engine cannot present on purpose (another CA, another host name) come from a
// test PKI, served by plain TLS endpoints; what the engine itself must accept goes to the engine.
let pki: TestPki;
let pinnedServer: PlainTlsServer;
let otherServer: PlainTlsServer;
let wrongNameServer: PlainTlsServer;
let e: EnrolledEngine;
const key = generateKeyPairSync('ed25519');

beforeAll(async () => {
  pki = makeTestPki();
  pinnedServer = await startPlainTlsServer({ key: pki.serverKey, cert: pki.serverCert });
  otherServer = await startPlainTlsServer({ key: pki.otherServerKey, cert: pki.otherServerCert });
  wrongNameServer = await startPlainTlsServer({ key: pki.wrongNameKey, cert: pki.wrongNameCert });
  e = await startEnrolledEngine(makeAgentRoot());
}, 120_000);
afterAll(async () => {
  await Promise.all([pinnedServer?.close(), otherServer?.close(), wrongNameServer?.close(), e?.close()]);
  pki?.remove();
  removeAgentRoots();
});

function client(url: string, trust: Parameters<typeof createAgentHttp>[0]['trust']) {
  return createAgentHttp({ serverUrl: url, trust, privateKey: key.privateKey, clock: createAgentClock({ now: Date.now }) });
}

async function failure(promise: Promise<unknown>): Promise<AgentApiError> {
  const err = await promise.then(() => undefined, (x: unknown) => x);
  expect(err).toBeInstanceOf(AgentApiError);
  return err as AgentApiError;
}

describe('P1 TLS pinning', () => {
  it('P1: talks to a server whose certificate the pinned CA issued', async () => {
    const http = client(`https://127.0.0.1:${pinnedServer.port}`, { mode: 'ca', engine_ca_pem: pki.caPem });
    const res = await http.send({ method: 'GET', path: '/api/agent/config' });
    expect(res.status).toBe(204);
    http.close();
  });

  it('P1: refuses a certificate from another CA, even for the right name', async () => {
    const http = client(`https://127.0.0.1:${otherServer.port}`, { mode: 'ca', engine_ca_pem: pki.caPem });
    const err = await failure(http.send({ method: 'GET', path: '/api/agent/config' }));
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/certificate/i);
    expect(otherServer.seen).toHaveLength(0);
    http.close();
  });

  it('P1: refuses the engine when the pin is another CA', async () => {
    const http = client(e.url, { mode: 'ca', engine_ca_pem: pki.caPem });
    const err = await failure(http.send({ method: 'GET', path: '/api/agent/config' }));
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/certificate/i);
    http.close();
  });

  it('P1: refuses a pinned-CA certificate for another host name (host-name verification stays on)', async () => {
    const http = client(`https://127.0.0.1:${wrongNameServer.port}`, { mode: 'ca', engine_ca_pem: pki.caPem });
    const err = await failure(http.send({ method: 'GET', path: '/api/agent/config' }));
    expect(err.message).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list|altnames/i);
    expect(wrongNameServer.seen).toHaveLength(0);
    http.close();
  });

  it('P1: mode ca hands Node only the pinned PEM (which replaces the system store); mode system adds nothing', () => {
    expect(tlsTrustOptions({ mode: 'ca', engine_ca_pem: pki.caPem })).toEqual({ ca: pki.caPem, rejectUnauthorized: true, minVersion: 'TLSv1.2' });
    expect(tlsTrustOptions({ mode: 'system' })).toEqual({ rejectUnauthorized: true, minVersion: 'TLSv1.2' });
  });

  it('P1: refuses http:// and an IP literal or localhost without a pinned CA, before any connection', () => {
    const before = pinnedServer.seen.length;
    expect(() => client(`http://127.0.0.1:${pinnedServer.port}`, { mode: 'ca', engine_ca_pem: pki.caPem })).toThrow(/https:\/\//);
    expect(() => client(`https://127.0.0.1:${pinnedServer.port}`, undefined)).toThrow(/pinned CA/);
    expect(() => client(`https://127.0.0.1:${pinnedServer.port}`, { mode: 'system' })).toThrow(/pinned CA/);
    expect(pinnedServer.seen).toHaveLength(before);
  });
});

describe('request headers, gzip and clock', () => {
  it('the engine takes Authorization DPoP with a proof bound to that token, whose htu has no query', async () => {
    const http = e.http;
    const token = (await e.store.load()).tokens!.access_token;
    // The engine checks the proof's htm, htu (a query in it is refused), iat, jti and ath = hash(token).
    const res = await http.send({ method: 'GET', path: '/api/agent/config?x=1', accessToken: token });
    expect(res.status).toBe(200);
    const refused = await failure(http.send({ method: 'GET', path: '/api/agent/config' }));
    expect(refused).toMatchObject({ status: 401, code: 'missing_authorization' });
  });

  it('sends Authorization DPoP, a DPoP proof, the context and the User-Agent on the wire', async () => {
    const http = client(`https://127.0.0.1:${pinnedServer.port}`, { mode: 'ca', engine_ca_pem: pki.caPem });
    await http.send({ method: 'POST', path: '/api/agent/heartbeat?x=1', body: { a: 1 }, accessToken: 'token-abc' });
    const seen = pinnedServer.seen.at(-1);
    expect(seen?.headers.authorization).toBe('DPoP token-abc');
    expect(seen?.headers.dpop).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(seen?.headers['x-borealis-agent-context']).toBe('SYSTEM');
    expect(seen?.headers['user-agent']).toMatch(/^Borealis-Agent-TS\/\d+\.\d+\.\d+ \(linux; (x64|arm64)\)$/);
    http.close();
  });

  it('gzips a body over 8 KiB and sends a small one plain', async () => {
    const http = client(`https://127.0.0.1:${pinnedServer.port}`, { mode: 'ca', engine_ca_pem: pki.caPem });
    await http.send({ method: 'POST', path: '/small', body: { a: 'x'.repeat(100) } });
    expect(pinnedServer.seen.at(-1)?.headers['content-encoding']).toBeUndefined();
    await http.send({ method: 'POST', path: '/big', body: { a: 'x'.repeat(9000) } });
    expect(pinnedServer.seen.at(-1)?.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(pinnedServer.seen.at(-1)!.body)).toEqual({ a: 'x'.repeat(9000) });
    http.close();
  });

  it('takes the clock offset from the Date header of responses', async () => {
    // A server whose clock runs an hour ahead (the engine's Date is always this host's time).
    const ahead = await startPlainTlsServer({ key: pki.serverKey, cert: pki.serverCert }, { date: () => new Date(Date.now() + 3_600_000) });
    const clock = createAgentClock({ now: Date.now });
    const http = createAgentHttp({ serverUrl: `https://127.0.0.1:${ahead.port}`, trust: { mode: 'ca', engine_ca_pem: pki.caPem }, privateKey: key.privateKey, clock });
    await http.send({ method: 'GET', path: '/' });
    expect(Math.abs(clock.offsetMs() - 3_600_000)).toBeLessThan(5000);
    http.close();
    await ahead.close();
  });
});
