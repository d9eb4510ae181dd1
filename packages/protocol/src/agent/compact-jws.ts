// Compact JWS with EdDSA (Ed25519), the one algorithm of agent tokens and proofs. Parsing only splits
// and decodes; callers check the header, then the signature, then the claims.

import { sign, verify, type KeyObject } from 'node:crypto';
import { decodeB64Url, encodeB64Url } from './base64';

export interface ParsedCompactJws {
  readonly header: unknown;
  readonly payload: unknown;
  /** ASCII `b64url(header) "." b64url(payload)`, the bytes the signature covers. */
  readonly signingInput: Buffer;
  readonly signature: Buffer;
}

/** Signs `header.payload` with an Ed25519 private key; JSON members keep their insertion order. */
export function signCompactJws(header: object, payload: object, privateKey: KeyObject): string {
  const input = `${encodeB64Url(Buffer.from(JSON.stringify(header), 'utf8'))}.${encodeB64Url(Buffer.from(JSON.stringify(payload), 'utf8'))}`;
  return `${input}.${encodeB64Url(sign(null, Buffer.from(input, 'ascii'), privateKey))}`;
}

/** Splits and decodes a compact JWS; undefined unless it has three canonical base64url parts of JSON objects. */
export function parseCompactJws(token: string): ParsedCompactJws | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  const headerBytes = decodeB64Url(h);
  const payloadBytes = decodeB64Url(p);
  const signature = decodeB64Url(s);
  if (!headerBytes || !payloadBytes || !signature) return undefined;
  const header = parseJsonObject(headerBytes);
  const payload = parseJsonObject(payloadBytes);
  if (header === undefined || payload === undefined) return undefined;
  return { header, payload, signingInput: Buffer.from(`${h}.${p}`, 'ascii'), signature };
}

/** Ed25519 verification; false (never a throw) for a wrong-length signature or a non-Ed25519 key. */
export function verifyEd25519(publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  if (signature.byteLength !== 64 || publicKey.asymmetricKeyType !== 'ed25519') return false;
  return verify(null, data, publicKey, signature);
}

function parseJsonObject(bytes: Buffer): unknown {
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let value: unknown;
  try {
    value = JSON.parse(text.decode(bytes));
  } catch {
    return undefined; // not UTF-8 or not JSON: the caller answers with its own error code
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}
