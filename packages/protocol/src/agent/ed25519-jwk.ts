// Ed25519 public keys as JWK (RFC 8037 `OKP`) and their RFC 7638 thumbprint, the protocol's `jkt` (§0):
// base64url SHA-256 of `{"crv":"Ed25519","kty":"OKP","x":…}`.

import { createHash, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { decodeB64Url, encodeB64Url } from './base64';
import { cachedEd25519PublicKey, rawEd25519FromSpki, spkiFromKey } from './device-key';

/** 32 bytes, base64url without padding. */
const ed25519X = z.string().refine((x) => decodeB64Url(x)?.byteLength === 32, 'must be a base64url Ed25519 public key');

/** A public OKP Ed25519 JWK. Other members (`kid`, `use`…) pass; a private `d` is refused. */
export const Ed25519PublicJwkSchema = z
  .object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: ed25519X, d: z.never().optional() })
  .loose();
export type Ed25519PublicJwk = { readonly kty: 'OKP'; readonly crv: 'Ed25519'; readonly x: string };

/** A `jkt` value: base64url of a SHA-256 digest (43 characters). */
export const JktSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url SHA-256 thumbprint');

/** The public JWK of an Ed25519 key, members in the order the spec writes them (kty, crv, x). */
export function jwkFromKey(key: KeyObject): Ed25519PublicJwk {
  // Every DPoP proof carries the JWK; exporting the key for each one was a visible share of a
  // simulated fleet's CPU. KeyObjects are immutable, so the answer can live as long as the key.
  const known = jwkByKey.get(key);
  if (known) return known;
  const raw = rawEd25519FromSpki(spkiFromKey(key));
  if (!raw) throw new TypeError('not an Ed25519 key');
  const jwk: Ed25519PublicJwk = Object.freeze({ kty: 'OKP', crv: 'Ed25519', x: encodeB64Url(raw) });
  jwkByKey.set(key, jwk);
  return jwk;
}
const jwkByKey = new WeakMap<KeyObject, Ed25519PublicJwk>();

/** A public KeyObject from a JWK the schema accepted. */
export function publicKeyFromJwk(jwk: Ed25519PublicJwk): KeyObject {
  const raw = decodeB64Url(jwk.x);
  if (raw?.byteLength !== 32) throw new TypeError('jwk.x is not a 32-byte base64url value');
  // Keyed by the decoded bytes, so a non-canonical spelling of x cannot alias another key.
  return cachedEd25519PublicKey(raw);
}

/** RFC 7638 thumbprint: required members only, lexicographic order, no whitespace. */
export function jwkThumbprint(jwk: Ed25519PublicJwk): string {
  const canonical = `{"crv":"Ed25519","kty":"OKP","x":"${jwk.x}"}`;
  return encodeB64Url(createHash('sha256').update(canonical, 'utf8').digest());
}

/** `jkt` of a key, from a KeyObject or its SPKI DER. */
export function jktFromKey(key: KeyObject): string {
  return jwkThumbprint(jwkFromKey(key));
}

export function jktFromSpki(spkiDer: Uint8Array): string | undefined {
  const raw = rawEd25519FromSpki(spkiDer);
  return raw && jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: encodeB64Url(raw) });
}
