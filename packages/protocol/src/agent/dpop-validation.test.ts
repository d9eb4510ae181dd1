import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuthClock } from './auth-result';
import { encodeB64Url } from './base64';
import { signCompactJws } from './compact-jws';
import { generateEd25519KeyPair } from './device-key';
import { normalizeHtu } from './dpop-htu';
import { accessTokenHash, createDpopProof } from './dpop-proof';
import { validateDpopProof, type DpopRequest } from './dpop-validation';
import { jktFromKey, jwkFromKey } from './ed25519-jwk';

const at = (iso: string): AuthClock => ({ now: () => new Date(iso) });
const clock = at('2026-11-25T04:00:00Z');
const IAT = Date.parse('2026-11-25T04:00:00Z') / 1000;
const device = generateEd25519KeyPair();
const jkt = jktFromKey(device.publicKey);
const accessToken = 'eyJhbGciOiJFZERTQSJ9.e30.c2ln';
const url = 'https://rmm.example.com/api/agent/heartbeat';
const request: DpopRequest = { method: 'POST', url, accessToken, expectedJkt: jkt };
const proof = (overrides: { method?: string; url?: string; accessToken?: string; nonce?: string; clock?: AuthClock } = {}) =>
  createDpopProof(device.privateKey, { method: 'POST', url, accessToken, clock, ...overrides });
const validate = (value: string | readonly string[] | undefined, req: DpopRequest = request, c: AuthClock = clock) => validateDpopProof(value, req, { clock: c });
const part = (token: string, i: number): unknown => JSON.parse(Buffer.from(token.split('.')[i] ?? '', 'base64url').toString());

describe('DPoP proofs (§3.2)', () => {
  it('creates the spec header and claims, and validates them into jkt and replay key', () => {
    const value = proof();
    expect(part(value, 0)).toEqual({ typ: 'dpop+jwt', alg: 'EdDSA', jwk: jwkFromKey(device.publicKey) });
    const claims = part(value, 1) as Record<string, unknown>;
    expect(claims).toMatchObject({ htm: 'POST', htu: url, iat: IAT, ath: accessTokenHash(accessToken) });
    expect(claims.ath).toBe(createHash('sha256').update(accessToken).digest('base64url'));
    expect(Buffer.from(String(claims.jti), 'base64url')).toHaveLength(16);

    const result = validate(value);
    if (!result.ok) throw new Error(result.message);
    expect(result.value.jkt).toBe(jkt);
    expect(result.value.replayKey).toEqual(createHash('sha256').update(`${jkt}.${String(claims.jti)}`).digest());
    expect(result.value.replayExpiresAt.toISOString()).toBe('2026-11-25T04:02:30.000Z');
  });

  it('normalises htu: lower-case scheme and host, no default port, no query or fragment', () => {
    expect(normalizeHtu('HTTPS://RMM.Example.COM:443/api/Agent?x=1#f')).toBe('https://rmm.example.com/api/Agent');
    expect(normalizeHtu('https://rmm.example.com:8443/socket.io/')).toBe('https://rmm.example.com:8443/socket.io/');
    expect(normalizeHtu('https://user:pw@rmm.example.com/')).toBeUndefined();
    expect(validate(proof({ url: 'https://RMM.example.com:443/api/agent/heartbeat?q=1' }), { ...request, url: `${url}?since=5` }).ok).toBe(true);
  });

  it('refuses another method, path, host, port or a query in htu (P7)', () => {
    expect(validate(proof({ method: 'GET' }))).toMatchObject({ code: 'dpop_invalid' });
    expect(validate(proof(), { ...request, method: 'PUT' })).toMatchObject({ code: 'dpop_invalid' });
    for (const other of ['https://rmm.example.com/api/agent/details', 'https://evil.example.com/api/agent/heartbeat', 'https://rmm.example.com:8443/api/agent/heartbeat', 'http://rmm.example.com/api/agent/heartbeat']) {
      expect(validate(proof({ url: other }))).toMatchObject({ code: 'dpop_invalid' });
    }
    const handMade = (htu: string) =>
      signCompactJws(
        { typ: 'dpop+jwt', alg: 'EdDSA', jwk: jwkFromKey(device.publicKey) },
        { jti: encodeB64Url(Buffer.alloc(16, 7)), htm: 'POST', htu, iat: IAT, ath: accessTokenHash(accessToken) },
        device.privateKey,
      );
    expect(validate(handMade(url)).ok).toBe(true);
    expect(validate(handMade(`${url}?a=1`))).toMatchObject({ code: 'dpop_invalid' });
    expect(validate(handMade(`${url}#f`))).toMatchObject({ code: 'dpop_invalid' });
  });

  it('accepts iat within ±60 s and refuses 61 s off with server_time', () => {
    expect(validate(proof({ clock: at('2026-11-25T04:01:00Z') })).ok).toBe(true);
    expect(validate(proof({ clock: at('2026-11-25T03:59:00Z') })).ok).toBe(true);
    for (const t of ['2026-11-25T04:01:01Z', '2026-11-25T03:58:59Z']) {
      expect(validate(proof({ clock: at(t) }))).toEqual({ ok: false, code: 'dpop_invalid', message: expect.any(String), serverTime: '2026-11-25T04:00:00.000Z' });
    }
  });

  it('requires ath to match the sent access token, and to be absent without one', () => {
    expect(validate(proof({ accessToken: `${accessToken}x` }))).toMatchObject({ code: 'dpop_invalid' });
    expect(validate(proof({ accessToken: undefined }))).toMatchObject({ code: 'dpop_invalid' });
    expect(validate(proof(), { ...request, accessToken: undefined })).toMatchObject({ code: 'dpop_invalid' });
    expect(validate(proof({ accessToken: undefined }), { ...request, accessToken: undefined }).ok).toBe(true);
  });

  it('refuses a key other than cnf.jkt (or the enrolling key)', () => {
    const other = generateEd25519KeyPair();
    const foreign = createDpopProof(other.privateKey, { method: 'POST', url, accessToken, clock });
    expect(validate(foreign)).toMatchObject({ code: 'dpop_invalid' });
    expect(validate(foreign, { ...request, expectedJkt: undefined })).toMatchObject({ ok: true, value: { jkt: jktFromKey(other.publicKey) } });
  });

  it('refuses tampered claims, a forged signature and malformed headers', () => {
    const value = proof();
    const [h, p, s] = value.split('.') as [string, string, string];
    const claims = part(value, 1) as Record<string, unknown>;
    const tampered = `${h}.${encodeB64Url(Buffer.from(JSON.stringify({ ...claims, htm: 'GET' })))}.${s}`;
    expect(validate(tampered, { ...request, method: 'GET' })).toMatchObject({ code: 'dpop_invalid' });
    const sig = Buffer.from(s, 'base64url');
    sig[0] = (sig[0] ?? 0) ^ 1;
    expect(validate(`${h}.${p}.${encodeB64Url(sig)}`)).toMatchObject({ code: 'dpop_invalid' });

    const sign = (header: object, payload: object = claims) => signCompactJws(header, payload, device.privateKey);
    const jwk = jwkFromKey(device.publicKey);
    const exported = device.privateKey.export({ format: 'jwk' });
    for (const bad of [
      sign({ typ: 'JWT', alg: 'EdDSA', jwk }),
      sign({ typ: 'dpop+jwt', alg: 'ES256', jwk }),
      sign({ typ: 'dpop+jwt', alg: 'EdDSA', jwk: { ...jwk, d: exported.d } }),
      sign({ typ: 'dpop+jwt', alg: 'EdDSA', jwk: { kty: 'OKP', crv: 'X25519', x: jwk.x } }),
      sign({ typ: 'dpop+jwt', alg: 'EdDSA', jwk }, { ...claims, jti: 'short' }),
      sign({ typ: 'dpop+jwt', alg: 'EdDSA', jwk }, { ...claims, jti: 'a'.repeat(65) }),
    ]) {
      expect(validate(bad)).toMatchObject({ ok: false, code: 'dpop_invalid' });
    }
  });

  it('requires exactly one header of at most 2 KiB', () => {
    const value = proof();
    expect(validate(undefined)).toMatchObject({ code: 'dpop_invalid' });
    expect(validate([value, value])).toMatchObject({ code: 'dpop_invalid' });
    expect(validate([value]).ok).toBe(true);
    expect(validate(`${value}${'A'.repeat(2049 - value.length)}`)).toMatchObject({ code: 'dpop_invalid' });
  });

  it('answers use_dpop_nonce for a missing or stale nonce where one is demanded (§3.5)', () => {
    const reauth: DpopRequest = { method: 'POST', url: 'https://rmm.example.com/api/agent/token/reauth', expectedJkt: jkt, isNonceValid: (n) => n === 'fresh' };
    const reauthProof = (nonce?: string) => createDpopProof(device.privateKey, { method: 'POST', url: reauth.url, clock, nonce });
    expect(validate(reauthProof(), reauth)).toMatchObject({ code: 'use_dpop_nonce' });
    expect(validate(reauthProof('stale'), reauth)).toMatchObject({ code: 'use_dpop_nonce' });
    expect(validate(reauthProof('fresh'), reauth).ok).toBe(true);
  });

  it('builds the websocket upgrade proof as GET https://host/socket.io/', () => {
    const upgrade = createDpopProof(device.privateKey, { method: 'get', url: 'https://rmm.example.com/socket.io/?EIO=4&transport=websocket', accessToken, clock });
    expect(part(upgrade, 1)).toMatchObject({ htm: 'GET', htu: 'https://rmm.example.com/socket.io/' });
    expect(validate(upgrade, { ...request, method: 'GET', url: 'https://rmm.example.com/socket.io/?EIO=4&transport=websocket' }).ok).toBe(true);
  });
});
