// Key identifiers derived from SPKI DER: `ssl_key_fingerprint` (device keys, §0) and the 16-hex
// `kid` / `signing_key_id` of engine signing keys (§2.3, §3.1).

import { createHash } from 'node:crypto';

/** Lower-hex SHA-256 of the key's SPKI DER (64 characters). */
export function sslKeyFingerprint(spkiDer: Uint8Array): string {
  return createHash('sha256').update(spkiDer).digest('hex');
}

/** First 16 lower-hex digits of SHA-256 of the signing key's SPKI DER. */
export function signingKeyId(spkiDer: Uint8Array): string {
  return sslKeyFingerprint(spkiDer).slice(0, 16);
}
