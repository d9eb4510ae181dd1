// Aegis data keys (security.md §3.2): 32 random bytes under an 8-hex-digit key id, stored wrapped
// by the KEK as `aegis-wrap:v1:` + base64(nonce ‖ ciphertext ‖ tag) bound to the key id.

import { randomBytes, randomFillSync } from 'node:crypto';
import { AES_256_KEY_BYTES, GCM_OVERHEAD_BYTES, openAesGcm, sealAesGcm } from './aes-gcm';
import { AegisUnwrapError } from './aegis-unwrap-error';
import { decodeStrictBase64 } from './strict-base64';

export const WRAP_PREFIX = 'aegis-wrap:v1:';
export const KEY_ID_PATTERN = /^[0-9a-f]{8}$/;
export const DATA_KEY_BYTES = AES_256_KEY_BYTES;
const WRAPPED_BYTES = DATA_KEY_BYTES + GCM_OVERHEAD_BYTES;

export interface DataKey {
  readonly keyId: string;
  readonly key: Buffer;
}

/** 8 random lower-hex digits. */
export function newKeyId(): string {
  return randomBytes(4).toString('hex');
}

/** A fresh data key in its own `Buffer.alloc` memory (never the shared pool), so zeroing reaches it. */
export function newDataKey(): DataKey {
  const key = Buffer.alloc(DATA_KEY_BYTES);
  randomFillSync(key);
  return { keyId: newKeyId(), key };
}

/** Wraps `key` under the KEK with associated data `aegis_data_keys/wrapped_key/<key_id>`. */
export function wrapDataKey(kek: Buffer, keyId: string, key: Buffer): string {
  assertKeyId(keyId);
  if (key.length !== DATA_KEY_BYTES) throw new RangeError('a data key must be 32 bytes');
  return WRAP_PREFIX + sealAesGcm(kek, wrapAssociatedData(keyId), key).toString('base64');
}

/** Unwraps a stored `wrapped_key`; throws AegisUnwrapError on any malformed or unauthentic value. */
export function unwrapDataKey(kek: Buffer, keyId: string, wrapped: string): Buffer {
  assertKeyId(keyId);
  if (!wrapped.startsWith(WRAP_PREFIX)) throw new AegisUnwrapError('bad_prefix', keyId);
  const sealed = decodeStrictBase64(wrapped.slice(WRAP_PREFIX.length));
  if (!sealed) throw new AegisUnwrapError('bad_base64', keyId);
  if (sealed.length !== WRAPPED_BYTES) throw new AegisUnwrapError('bad_length', keyId);
  const key = openAesGcm(kek, wrapAssociatedData(keyId), sealed);
  if (!key) throw new AegisUnwrapError('tag_mismatch', keyId);
  return key;
}

function wrapAssociatedData(keyId: string): Buffer {
  return Buffer.from(`aegis_data_keys/wrapped_key/${keyId}`, 'utf8');
}

function assertKeyId(keyId: string): void {
  if (!KEY_ID_PATTERN.test(keyId)) throw new RangeError('a key id is 8 lower-case hex digits');
}
