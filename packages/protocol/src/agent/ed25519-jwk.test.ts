import { createHash, createPrivateKey, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCompactJws, signCompactJws, verifyEd25519 } from './compact-jws';
import { generateEd25519KeyPair, isEd25519Spki, parseSpkiB64, spkiB64FromKey, spkiFromKey } from './device-key';
import { Ed25519PublicJwkSchema, jktFromKey, jktFromSpki, jwkFromKey, jwkThumbprint, publicKeyFromJwk } from './ed25519-jwk';
import { signingKeyId, sslKeyFingerprint } from './key-fingerprint';

// RFC 8037 appendix A.1 (private key) and A.3 (its thumbprint).
const RFC8037_X = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo';
const RFC8037_D = 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A';
const rfcPrivateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x: RFC8037_X, d: RFC8037_D }, format: 'jwk' });

describe('Ed25519 keys, fingerprints and thumbprints', () => {
  it('computes the RFC 8037 A.3 thumbprint of the example key', () => {
    expect(jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_X })).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
    expect(jktFromKey(rfcPrivateKey)).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
    expect(jktFromSpki(spkiFromKey(rfcPrivateKey))).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('reproduces the RFC 8037 A.4 JWS (Ed25519 is deterministic)', () => {
    const jws = signCompactJws({ alg: 'EdDSA' }, {}, rfcPrivateKey);
    expect(jws.split('.')[0]).toBe('eyJhbGciOiJFZERTQSJ9');
    const expected =
      'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg';
    const [h, p, s] = expected.split('.') as [string, string, string];
    expect(sign(null, Buffer.from(`${h}.${p}`, 'ascii'), rfcPrivateKey).toString('base64url')).toBe(s);
    const publicKey = publicKeyFromJwk({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_X });
    expect(verifyEd25519(publicKey, Buffer.from(`${h}.${p}`, 'ascii'), Buffer.from(s, 'base64url'))).toBe(true);
  });

  it('round-trips a key through b64 SPKI and JWK', () => {
    const { publicKey, privateKey } = generateEd25519KeyPair();
    const b64 = spkiB64FromKey(privateKey);
    expect(Buffer.from(b64, 'base64')).toHaveLength(44);
    const parsed = parseSpkiB64(b64);
    expect(parsed?.publicKey.equals(publicKey)).toBe(true);
    expect(publicKeyFromJwk(jwkFromKey(publicKey)).equals(publicKey)).toBe(true);
    expect(jktFromSpki(Buffer.from(b64, 'base64'))).toBe(jktFromKey(publicKey));
  });

  it('defines ssl_key_fingerprint as lower-hex SHA-256 of the SPKI DER and kid as its first 16 digits', () => {
    const der = spkiFromKey(rfcPrivateKey);
    const hex = createHash('sha256').update(der).digest('hex');
    expect(sslKeyFingerprint(der)).toBe(hex);
    expect(sslKeyFingerprint(der)).toMatch(/^[0-9a-f]{64}$/);
    expect(signingKeyId(der)).toBe(hex.slice(0, 16));
  });

  it('refuses SPKI that is not Ed25519 and JWKs carrying a private part', () => {
    const der = spkiFromKey(rfcPrivateKey);
    expect(isEd25519Spki(der.subarray(0, 43))).toBe(false);
    const x25519 = Buffer.from(der);
    x25519[8] = 0x6e; // OID 1.3.101.110 (X25519)
    expect(parseSpkiB64(x25519.toString('base64'))).toBeUndefined();
    expect(Ed25519PublicJwkSchema.safeParse({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_X, d: RFC8037_D }).success).toBe(false);
    expect(Ed25519PublicJwkSchema.safeParse({ kty: 'OKP', crv: 'Ed25519', x: RFC8037_X.slice(1) }).success).toBe(false);
  });

  it('parses only three canonical parts of JSON objects', () => {
    const jws = signCompactJws({ alg: 'EdDSA' }, { a: 1 }, rfcPrivateKey);
    expect(parseCompactJws(jws)?.payload).toEqual({ a: 1 });
    expect(parseCompactJws(`${jws}.x`)).toBeUndefined();
    expect(parseCompactJws(`${jws}=`)).toBeUndefined();
    expect(parseCompactJws(`WzFd.${jws.split('.')[1]}.${jws.split('.')[2]}`)).toBeUndefined();
  });
});
