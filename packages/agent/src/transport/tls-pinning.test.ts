// P1 (agent-protocol.md §1, §12): the agent trusts only the pinned CA, verifies host names, never
// speaks http:// and refuses an IP-literal server_url without a pin. Also the headers every request
// carries, gzip above 8 KiB and the clock offset taken from `Date`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { validateDpopProof } from '@borealis/protocol/agent';
import { makeTestPki, type TestPki } from '../../test/tls-fixtures';
import { startHttpsStub, type HttpsStub } from '../../test/https-stub';
import { createAgentClock } from '../runtime/clock-offset';
import { AgentApiError } from './agent-error';
import { createAgentHttp } from './agent-http';
import { tlsTrustOptions } from './tls-trust';

let pki: TestPki;
let pinnedServer: HttpsStub;
let otherServer: HttpsStub;
let wrongNameServer: HttpsStub;
const key = generateKeyPairSync('ed25519');
const ok = () => ({ status: 200, body: { ok: true } });

beforeAll(async () => {
  pki = makeTestPki();
  pinnedServer = await startHttpsStub({ key: pki.serverKey, cert: pki.serverCert }, ok);
  otherServer = await startHttpsStub({ key: pki.otherServerKey, cert: pki.otherServerCert }, ok);
  wrongNameServer = await startHttpsStub({ key: pki.wrongNameKey, cert: pki.wrongNameCert }, ok);
});
afterAll(async () => {
  await Promise.all([pinnedServer.close(), otherServer.close(), wrongNameServer.close()]);
  pki.remove();
});

function client(url: string, trust: Parameters<typeof createAgentHttp>[0]['trust']) {
  return createAgentHttp({ serverUrl: url, trust, privateKey: key.privateKey, clock: createAgentClock({ now: Date.now }) });
}

async function failure(promise: Promise<unknown>): Promise<AgentApiError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AgentApiError);
  return err as AgentApiError;
}

describe('P1 TLS pinning', () => {
  it('P1: talks to a server whose certificate the pinned CA issued', async () => {
    const http = client(`https://127.0.0.1:${pinnedServer.port}`, { mode: 'ca', engine_ca_pem: pki.caPem });
    const res = await http.send({ method: 'GET', path: '/api/agent/config' });
    expect(res.status).toBe(200);
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
    expect(() => client(`http://127.0.0.1:${pinnedServer.port}`, { mode: 'ca', engine_ca_pem: pki.caPem })).toThrow(/https:\/\//);
    expect(() => client(`https://127.0.0.1:${pinnedServer.port}`, undefined)).toThrow(/pinned CA/);
    expect(() => client(`https://127.0.0.1:${pinnedServer.port}`, { mode: 'system' })).toThrow(/pinned CA/);
    expect(pinnedServer.seen.every((r) => r.url === '/api/agent/config')).toBe(true);
  });
});

describe('request headers, gzip and clock', () => {
  it('sends Authorization DPoP, a valid DPoP proof bound to the token, the context and the User-Agent', async () => {
    const http = client(`https://127.0.0.1:${pinnedServer.port}`, { mode: 'ca', engine_ca_pem: pki.caPem });
    await http.send({ method: 'POST', path: '/api/agent/heartbeat?x=1', body: { a: 1 }, accessToken: 'token-abc' });
    const seen = pinnedServer.seen.at(-1);
    expect(seen?.headers.authorization).toBe('DPoP token-abc');
    expect(seen?.headers['x-borealis-agent-context']).toBe('SYSTEM');
    expect(seen?.headers['user-agent']).toMatch(/^Borealis-Agent-TS\/\d+\.\d+\.\d+ \(linux; (x64|arm64)\)$/);
    const proof = validateDpopProof(
      seen?.headers.dpop,
      { method: 'POST', url: `https://127.0.0.1:${pinnedServer.port}/api/agent/heartbeat`, accessToken: 'token-abc' },
      { clock: { now: () => new Date() } },
    );
    expect(proof.ok).toBe(true);
    http.close();
  });

  it('gzips a body over 8 KiB and sends a small one plain', async () => {
    const http = client(`https://127.0.0.1:${pinnedServer.port}`, { mode: 'ca', engine_ca_pem: pki.caPem });
    await http.send({ method: 'POST', path: '/small', body: { a: 'x'.repeat(100) } });
    expect(pinnedServer.seen.at(-1)?.headers['content-encoding']).toBeUndefined();
    await http.send({ method: 'POST', path: '/big', body: { a: 'x'.repeat(9000) } });
    expect(pinnedServer.seen.at(-1)?.headers['content-encoding']).toBe('gzip');
    http.close();
  });

  it('takes the clock offset from the Date header of responses', async () => {
    const ahead = await startHttpsStub({ key: pki.serverKey, cert: pki.serverCert }, () => ({ status: 200, body: {}, headers: { date: new Date(Date.now() + 3_600_000).toUTCString() } }));
    const clock = createAgentClock({ now: Date.now });
    const http = createAgentHttp({ serverUrl: `https://127.0.0.1:${ahead.port}`, trust: { mode: 'ca', engine_ca_pem: pki.caPem }, privateKey: key.privateKey, clock });
    await http.send({ method: 'GET', path: '/' });
    expect(Math.abs(clock.offsetMs() - 3_600_000)).toBeLessThan(5000);
    http.close();
    await ahead.close();
  });
});
