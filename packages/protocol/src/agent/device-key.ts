// Ed25519 device and signing keys as the protocol carries them: SPKI DER, 44 bytes, b64 on the wire
// (`agent_pubkey`, `signing_key`). Parsing is structural: exactly the Ed25519 SPKI prefix plus 32 bytes.

import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { decodeB64, encodeB64 } from './base64';
import { ED25519_SPKI_BYTES } from './agent-auth-constants';

/** DER of `SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (32 bytes) }` before the raw key. */
// A Uint8Array, not a Buffer: the package entry also loads in the WebUI bundle, where Buffer is absent.
const ED25519_SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

export interface Ed25519KeyPair {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

export function generateEd25519KeyPair(): Ed25519KeyPair {
  return generateKeyPairSync('ed25519');
}

/** True for the 44-byte DER SPKI of an Ed25519 public key. */
export function isEd25519Spki(der: Uint8Array): boolean {
  return der.byteLength === ED25519_SPKI_BYTES && ED25519_SPKI_PREFIX.every((byte, i) => der[i] === byte);
}

/** The 32 raw public-key bytes of an Ed25519 SPKI, or undefined when it is not one. */
export function rawEd25519FromSpki(der: Uint8Array): Buffer | undefined {
  return isEd25519Spki(der) ? Buffer.from(der.subarray(ED25519_SPKI_PREFIX.length)) : undefined;
}

export function spkiFromRawEd25519(raw: Uint8Array): Buffer {
  if (raw.byteLength !== 32) throw new RangeError('an Ed25519 public key is 32 bytes');
  return Buffer.concat([ED25519_SPKI_PREFIX, raw]);
}

/** SPKI DER of an Ed25519 key (public, or the public half of a private key). */
export function spkiFromKey(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new TypeError('not an Ed25519 key');
  return publicKey.export({ format: 'der', type: 'spki' });
}

export function spkiB64FromKey(key: KeyObject): string {
  return encodeB64(spkiFromKey(key));
}

/**
 * Public KeyObjects by raw key (base64url): an agent signs every DPoP proof and its enrolment proof
 * with one key, and `createPublicKey` was a visible share of the engine's CPU when each request
 * rebuilt it. Bounded, least recently used first out; public keys only, so sharing them is harmless.
 */
export const PUBLIC_KEY_CACHE_SIZE = 20_000;
const publicKeys = new Map<string, KeyObject>();

/** The KeyObject of a 32-byte raw Ed25519 public key, from the cache when it is there. */
export function cachedEd25519PublicKey(raw: Uint8Array, cacheKey = Buffer.from(raw).toString('base64url')): KeyObject {
  const known = publicKeys.get(cacheKey);
  if (known) {
    // Re-insert so the Map's order stays least recently used first.
    publicKeys.delete(cacheKey);
    publicKeys.set(cacheKey, known);
    return known;
  }
  const key = createPublicKey({ key: spkiFromRawEd25519(raw), format: 'der', type: 'spki' });
  publicKeys.set(cacheKey, key);
  if (publicKeys.size > PUBLIC_KEY_CACHE_SIZE) {
    const oldest = publicKeys.keys().next().value;
    if (oldest !== undefined) publicKeys.delete(oldest);
  }
  return key;
}

/** A public KeyObject from Ed25519 SPKI DER, or undefined when the bytes are not one. */
export function publicKeyFromSpki(der: Uint8Array): KeyObject | undefined {
  const raw = rawEd25519FromSpki(der);
  return raw && cachedEd25519PublicKey(raw);
}

/** The SPKI DER of a wire `agent_pubkey` / `signing_key` when it is an Ed25519 key; no KeyObject is built. */
export function spkiDerFromB64(text: string): Buffer | undefined {
  const der = decodeB64(text);
  return der && isEd25519Spki(der) ? der : undefined;
}

/** Parses a wire `agent_pubkey` / `signing_key` (b64 or base64url of the SPKI DER). */
export function parseSpkiB64(text: string): { readonly der: Buffer; readonly publicKey: KeyObject } | undefined {
  const der = decodeB64(text);
  const publicKey = der && publicKeyFromSpki(der);
  return der && publicKey ? { der, publicKey } : undefined;
}
