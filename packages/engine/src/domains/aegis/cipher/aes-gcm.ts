// AES-256-GCM sealing in the one layout Aegis stores: nonce[12] ‖ ciphertext ‖ tag[16].
// Shared by envelopes (§3.3) and wrapped data keys (§3.2) so both use the same nonce and tag rules.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;
export const GCM_OVERHEAD_BYTES = GCM_NONCE_BYTES + GCM_TAG_BYTES;
export const AES_256_KEY_BYTES = 32;

/** Encrypts under a fresh random 96-bit nonce; returns nonce ‖ ciphertext ‖ tag. */
export function sealAesGcm(key: Buffer, associatedData: Buffer, plaintext: Buffer): Buffer {
  assertKey(key);
  const nonce = randomBytes(GCM_NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(associatedData);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/**
 * Decrypts nonce ‖ ciphertext ‖ tag. Returns null when the tag does not verify (wrong key, wrong
 * associated data or tampered bytes). The result lives in its own `Buffer.alloc` memory so the
 * caller can zero it.
 */
export function openAesGcm(key: Buffer, associatedData: Buffer, sealed: Buffer): Buffer | null {
  assertKey(key);
  if (sealed.length < GCM_OVERHEAD_BYTES) throw new RangeError('sealed input is shorter than nonce and tag');
  const nonce = sealed.subarray(0, GCM_NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - GCM_TAG_BYTES);
  const body = sealed.subarray(GCM_NONCE_BYTES, sealed.length - GCM_TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
  decipher.setAAD(associatedData);
  decipher.setAuthTag(tag);
  const head = decipher.update(body);
  let tail: Buffer;
  try {
    tail = decipher.final();
  } catch {
    // final() throws only when authentication fails; the unauthenticated bytes are discarded.
    head.fill(0);
    return null;
  }
  const out = Buffer.alloc(head.length + tail.length);
  head.copy(out, 0);
  tail.copy(out, head.length);
  head.fill(0);
  tail.fill(0);
  return out;
}

function assertKey(key: Buffer): void {
  if (key.length !== AES_256_KEY_BYTES) throw new RangeError('an AES-256 key must be 32 bytes');
}
