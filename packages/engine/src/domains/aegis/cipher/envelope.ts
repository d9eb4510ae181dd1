// Aegis envelopes (security.md §3.3): `aegis:v1:<key_id>:<base64(nonce ‖ ct ‖ tag)>`, AES-256-GCM
// bound to `<table>/<column>/<row_id>` so a value copied to another row or column cannot decrypt.

import { LockedError, AppError } from '../../../errors';
import { GCM_OVERHEAD_BYTES, openAesGcm, sealAesGcm } from './aes-gcm';
import { AegisDecryptError } from './aegis-decrypt-error';
import { KEY_ID_PATTERN, type DataKey } from './data-key';
import type { Keyring } from './keyring';
import { decodeStrictBase64 } from './strict-base64';

export const ENVELOPE_PREFIX = 'aegis:v1:';
export const ENVELOPE_PATTERN = /^aegis:v1:[0-9a-f]{8}:[A-Za-z0-9+/]+={0,2}$/;
export const MAX_ENVELOPE_PLAINTEXT_BYTES = 64 * 1024;

const KEY_ID_END = ENVELOPE_PREFIX.length + 8;
const IDENTIFIER_PATTERN = /^[a-z_][a-z0-9_]*$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LONE_SURROGATE = /\p{Cs}/u;

/** Where a value lives: table without schema, column as stored, the row's single-column primary key. */
export interface EnvelopeAd {
  readonly table: string;
  readonly column: string;
  readonly rowId: string | number | bigint;
}

/** Encrypts with the keyring's active key, or with one given key (rotation, tests). */
export type EnvelopeEncryptKey = Pick<Keyring, 'activeKey'> | DataKey;
/** Decrypts with any non-retired key of the keyring, or with one given key. */
export type EnvelopeDecryptKeys = Pick<Keyring, 'key' | 'isUnlocked'> | DataKey;

/** The canonical row id text: UUIDs lower-case with hyphens, integers in decimal, other text as is. */
export function canonicalRowId(rowId: string | number | bigint): string {
  if (typeof rowId === 'bigint') return rowId.toString(10);
  if (typeof rowId === 'number') {
    if (!Number.isSafeInteger(rowId)) throw new RangeError('a numeric row id must be a safe integer');
    return rowId.toString(10);
  }
  if (rowId.length === 0) throw new RangeError('a row id must not be empty');
  return UUID_PATTERN.test(rowId) ? rowId.toLowerCase() : rowId;
}

/** The associated data text `<table>/<column>/<row_id>`. */
export function envelopeAssociatedData(ad: EnvelopeAd): string {
  if (!IDENTIFIER_PATTERN.test(ad.table)) throw new RangeError('the table must be a plain lower-case identifier');
  if (!IDENTIFIER_PATTERN.test(ad.column)) throw new RangeError('the column must be a plain lower-case identifier');
  return `${ad.table}/${ad.column}/${canonicalRowId(ad.rowId)}`;
}

/** The key id of a well-formed envelope, or null for anything else. */
export function envelopeKeyId(value: string): string | null {
  return ENVELOPE_PATTERN.test(value) ? value.slice(ENVELOPE_PREFIX.length, KEY_ID_END) : null;
}

/** Seals `plaintext` (UTF-8, at most 64 KiB) under a fresh nonce. */
export function encryptEnvelope(source: EnvelopeEncryptKey, ad: EnvelopeAd, plaintext: string): string {
  const { keyId, key } = 'keyId' in source ? source : source.activeKey();
  if (!KEY_ID_PATTERN.test(keyId)) throw new RangeError('a key id is 8 lower-case hex digits');
  const associated = Buffer.from(envelopeAssociatedData(ad), 'utf8');
  const size = Buffer.byteLength(plaintext, 'utf8');
  if (size > MAX_ENVELOPE_PLAINTEXT_BYTES) {
    throw new AppError('payload_too_large', 'A secret may be at most 64 KiB of UTF-8 text');
  }
  // UTF-8 would turn a lone surrogate into U+FFFD, so the value read back would differ.
  if (LONE_SURROGATE.test(plaintext)) throw new AppError('invalid_request', 'A secret must be well-formed Unicode text');
  // Own memory rather than the shared Buffer pool, so the plaintext bytes can be wiped.
  const bytes = Buffer.alloc(size);
  bytes.write(plaintext, 'utf8');
  try {
    return `${ENVELOPE_PREFIX}${keyId}:${sealAesGcm(key, associated, bytes).toString('base64')}`;
  } finally {
    bytes.fill(0);
  }
}

/** Opens an envelope stored at `ad`; any failure is an AegisDecryptError naming only the reason. */
export function decryptEnvelope(source: EnvelopeDecryptKeys, ad: EnvelopeAd, value: string): string {
  const associatedText = envelopeAssociatedData(ad);
  const fail = (reason: AegisDecryptError['reason']): never => {
    throw new AegisDecryptError(reason, ad.table, ad.column, canonicalRowId(ad.rowId));
  };
  if (!('keyId' in source) && !source.isUnlocked) throw new LockedError('aegis_locked', 'Aegis is locked; unlock it first');
  if (!value.startsWith(ENVELOPE_PREFIX)) return fail('bad_prefix');
  const keyId = value.slice(ENVELOPE_PREFIX.length, KEY_ID_END);
  if (!KEY_ID_PATTERN.test(keyId) || value[KEY_ID_END] !== ':') return fail('bad_key_id');
  const key = 'keyId' in source ? (source.keyId === keyId ? source.key : undefined) : source.key(keyId);
  if (!key) return fail('unknown_key');
  const sealed = decodeStrictBase64(value.slice(KEY_ID_END + 1));
  if (!sealed) return fail('bad_base64');
  if (sealed.length < GCM_OVERHEAD_BYTES) return fail('too_short');
  const opened = openAesGcm(key, Buffer.from(associatedText, 'utf8'), sealed);
  if (!opened) return fail('tag_mismatch');
  try {
    return opened.toString('utf8');
  } finally {
    opened.fill(0);
  }
}
