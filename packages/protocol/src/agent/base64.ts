// Binary encodings of the agent protocol (§0): b64 (standard, padded) on output, b64 or base64url on
// input; JWS parts are strict base64url without padding. Decoders reject non-canonical text.

const STD_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_RE = /^[A-Za-z0-9_-]*={0,2}$/;
const JWS_PART_RE = /^[A-Za-z0-9_-]*$/;

/** Standard base64 with padding, the protocol's "b64". */
export function encodeB64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** base64url without padding, as used in JWS parts, `jkt`, `ath` and DPoP `jti`. */
export function encodeB64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Decodes a b64 value sent by a peer: standard or url alphabet (not mixed), padding optional but
 * correct when present. Returns undefined for anything else, including non-zero trailing bits.
 */
export function decodeB64(text: string): Buffer | undefined {
  const isStd = STD_RE.test(text);
  if (!isStd && !URL_RE.test(text)) return undefined;
  const body = text.replace(/=+$/, '');
  const padding = text.length - body.length;
  if (body.length % 4 === 1) return undefined;
  if (padding > 0 && (body.length + padding) % 4 !== 0) return undefined;
  const bytes = Buffer.from(body, isStd ? 'base64' : 'base64url');
  return bytes.toString('base64url') === body.replace(/\+/g, '-').replace(/\//g, '_') ? bytes : undefined;
}

/** Decodes one JWS part: base64url, no padding, canonical. */
export function decodeB64Url(text: string): Buffer | undefined {
  if (!JWS_PART_RE.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}
