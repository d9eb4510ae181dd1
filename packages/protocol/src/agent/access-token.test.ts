import { describe, expect, it } from 'vitest';
import { createAccessToken, verifyAccessToken } from './access-token';
import type { AuthClock } from './auth-result';
import { encodeB64Url } from './base64';
import { signCompactJws } from './compact-jws';
import { checkDeviceBinding } from './device-binding';
import { generateEd25519KeyPair, spkiFromKey } from './device-key';
import { jktFromKey } from './ed25519-jwk';
import { signingKeyId, sslKeyFingerprint } from './key-fingerprint';

const at = (iso: string): AuthClock => ({ now: () => new Date(iso) });
const issued = at('2026-11-25T04:00:00Z');
const signing = generateEd25519KeyPair();
const kid = signingKeyId(spkiFromKey(signing.publicKey));
const device = generateEd25519KeyPair();
const guid = '3F2504E0-4F89-41D3-9A0C-0305E82C3301';
const issuer = 'https://rmm.example.com';
const verifyOptions = (clock: AuthClock) => ({ issuer, clock, resolveKey: (k: string) => (k === kid ? signing.publicKey : undefined) });

function issue() {
  const input = { issuer, guid, sslKeyFingerprint: sslKeyFingerprint(spkiFromKey(device.publicKey)), jkt: jktFromKey(device.publicKey), tokenVersion: 2, clock: issued };
  return createAccessToken(input, { privateKey: signing.privateKey, kid });
}

describe('access tokens (§3.1)', () => {
  it('issues the spec header and claims and verifies them', () => {
    const { token, claims } = issue();
    const [h] = token.split('.') as [string];
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg: 'EdDSA', typ: 'at+jwt', kid });
    expect(claims).toMatchObject({ aud: 'borealis-agent', sub: `device:${guid}`, guid, ctx: 'SYSTEM', token_version: 2, cnf: { jkt: jktFromKey(device.publicKey) } });
    expect(claims.exp - claims.iat).toBe(900);
    expect(claims.nbf).toBe(claims.iat);
    expect(Buffer.from(claims.jti, 'base64url')).toHaveLength(16);
    expect(verifyAccessToken(token, verifyOptions(at('2026-11-25T04:10:00Z')))).toEqual({ ok: true, value: claims });
  });

  it('answers token_expired once exp ≤ now − 5 s, and accepts within the leeway', () => {
    const { token } = issue();
    expect(verifyAccessToken(token, verifyOptions(at('2026-11-25T04:15:04Z'))).ok).toBe(true);
    expect(verifyAccessToken(token, verifyOptions(at('2026-11-25T04:15:05Z')))).toMatchObject({ ok: false, code: 'token_expired' });
  });

  it('answers invalid_token before nbf − 5 s, for a wrong iss, an unknown kid or a tampered payload', () => {
    const { token } = issue();
    expect(verifyAccessToken(token, verifyOptions(at('2026-11-25T03:59:54Z')))).toMatchObject({ code: 'invalid_token' });
    expect(verifyAccessToken(token, { ...verifyOptions(issued), issuer: 'https://other.example.com' })).toMatchObject({ code: 'invalid_token' });
    expect(verifyAccessToken(token, { ...verifyOptions(issued), resolveKey: () => undefined })).toMatchObject({ code: 'invalid_token' });
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = encodeB64Url(Buffer.from(JSON.stringify({ ...claims, token_version: 3 })));
    expect(verifyAccessToken(`${h}.${forged}.${s}`, verifyOptions(issued))).toMatchObject({ code: 'invalid_token' });
    // Flip a byte of the decoded signature: editing base64url characters can land on padding bits and change nothing.
    const signature = Buffer.from(s, 'base64url');
    signature[10] = (signature[10] ?? 0) ^ 0xff;
    expect(verifyAccessToken(`${h}.${p}.${encodeB64Url(signature)}`, verifyOptions(issued))).toMatchObject({ code: 'invalid_token' });
  });

  it('refuses other typ and alg values (conformance P8)', () => {
    const { token, claims } = issue();
    const payload = token.split('.')[1] ?? '';
    const bad = [
      signCompactJws({ alg: 'EdDSA', typ: 'JWT', kid }, claims, signing.privateKey),
      signCompactJws({ alg: 'EdDSA', typ: 'dpop+jwt', kid }, claims, signing.privateKey),
      `${encodeB64Url(Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid })))}.${payload}.`,
      `${encodeB64Url(Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid })))}.${payload}.${encodeB64Url(Buffer.alloc(32))}`,
      'not.a.jwt',
    ];
    for (const t of bad) expect(verifyAccessToken(t, verifyOptions(issued))).toMatchObject({ ok: false, code: 'invalid_token' });
  });

  it('checks the device key before token_version (§3.3 steps 7–8)', () => {
    const { claims } = issue();
    expect(checkDeviceBinding(claims, { sslKeyFingerprint: claims.ssl_key_fingerprint, tokenVersion: 2 }).ok).toBe(true);
    expect(checkDeviceBinding(claims, { sslKeyFingerprint: claims.ssl_key_fingerprint, tokenVersion: 3 })).toMatchObject({ code: 'token_version_mismatch' });
    expect(checkDeviceBinding(claims, { sslKeyFingerprint: '0'.repeat(64), tokenVersion: 3 })).toMatchObject({ code: 'fingerprint_mismatch' });
  });
});
