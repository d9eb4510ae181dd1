// Envelopes round-trip under the active key and fail, with a reason and no trace of the value,
// when moved to another table, column or row, tampered with, malformed or under an unknown key.

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../errors';
import { AegisDecryptError, type AegisDecryptReason } from './aegis-decrypt-error';
import { newDataKey } from './data-key';
import {
  ENVELOPE_PATTERN,
  canonicalRowId,
  decryptEnvelope,
  encryptEnvelope,
  envelopeAssociatedData,
  envelopeKeyId,
  type EnvelopeAd,
} from './envelope';
import { createKeyring } from './keyring';

const AD: EnvelopeAd = { table: 'credentials', column: 'password_enc', rowId: 42 };
const SECRET = 'S3cr3t-Pässwörd-🔑-do-not-leak';

function unlockedRing(count = 1) {
  const keys = Array.from({ length: count }, () => newDataKey());
  const ring = createKeyring();
  ring.load(new Map(keys.map((k) => [k.keyId, k.key])), keys[0]?.keyId ?? '');
  return { ring, keys };
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

function decryptReason(run: () => unknown): AegisDecryptReason {
  const err = caught(run);
  if (err instanceof AegisDecryptError) return err.reason;
  throw err;
}

function withPayload(envelope: string, edit: (bytes: Buffer) => Buffer): string {
  const head = envelope.slice(0, 'aegis:v1:'.length + 9);
  return head + edit(Buffer.from(envelope.slice(head.length), 'base64')).toString('base64');
}

describe('encryptEnvelope / decryptEnvelope', () => {
  it('round-trips UTF-8 text under the active key and names that key in the envelope', () => {
    const { ring } = unlockedRing(2);
    const envelope = encryptEnvelope(ring, AD, SECRET);
    expect(envelope).toMatch(ENVELOPE_PATTERN);
    expect(envelopeKeyId(envelope)).toBe(ring.activeKeyId);
    expect(decryptEnvelope(ring, AD, envelope)).toBe(SECRET);
    expect(decryptEnvelope(ring, AD, encryptEnvelope(ring, AD, ''))).toBe('');
  });

  it('uses a fresh nonce each time, so equal plaintexts give different envelopes', () => {
    const { ring } = unlockedRing();
    expect(encryptEnvelope(ring, AD, SECRET)).not.toBe(encryptEnvelope(ring, AD, SECRET));
  });

  it('lays the payload out as nonce 12 ‖ ciphertext ‖ tag 16', () => {
    const { ring } = unlockedRing();
    const envelope = encryptEnvelope(ring, AD, 'abc');
    expect(Buffer.from(envelope.split(':')[3] ?? '', 'base64')).toHaveLength(12 + 3 + 16);
  });

  it('encrypts with one given key and decrypts with a keyring that holds it', () => {
    const key = newDataKey();
    const ring = createKeyring();
    ring.load(new Map([[key.keyId, key.key]]), key.keyId);
    const envelope = encryptEnvelope(key, AD, SECRET);
    expect(decryptEnvelope(ring, AD, envelope)).toBe(SECRET);
    expect(decryptEnvelope(key, AD, envelope)).toBe(SECRET);
  });

  it('accepts exactly 64 KiB of UTF-8 and refuses one byte more with 413', () => {
    const { ring } = unlockedRing();
    const max = 'x'.repeat(65536);
    expect(decryptEnvelope(ring, AD, encryptEnvelope(ring, AD, max))).toBe(max);
    const tooBig = caught(() => encryptEnvelope(ring, AD, `${'x'.repeat(65535)}é`));
    expect(tooBig).toBeInstanceOf(AppError);
    expect(tooBig instanceof AppError && tooBig.code).toBe('payload_too_large');
  });

  it('refuses text with a lone surrogate, which UTF-8 cannot carry back unchanged', () => {
    const { ring } = unlockedRing();
    expect(() => encryptEnvelope(ring, AD, 'abc\ud800')).toThrow(AppError);
  });
});

describe('associated data', () => {
  it('binds an envelope to its table, column and row: a copy elsewhere fails with tag_mismatch', () => {
    const { ring } = unlockedRing();
    const envelope = encryptEnvelope(ring, AD, SECRET);
    expect(decryptReason(() => decryptEnvelope(ring, { ...AD, rowId: 43 }, envelope))).toBe('tag_mismatch');
    expect(decryptReason(() => decryptEnvelope(ring, { ...AD, column: 'private_key_enc' }, envelope))).toBe('tag_mismatch');
    expect(decryptReason(() => decryptEnvelope(ring, { ...AD, table: 'users' }, envelope))).toBe('tag_mismatch');
  });

  it('is `<table>/<column>/<row_id>` with canonical row ids: lower-case UUIDs, decimal integers', () => {
    expect(envelopeAssociatedData(AD)).toBe('credentials/password_enc/42');
    expect(canonicalRowId(42n)).toBe('42');
    expect(canonicalRowId('42')).toBe('42');
    expect(canonicalRowId('0F8FAD5B-D9CB-469F-A165-70867728950E')).toBe('0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(() => canonicalRowId(1.5)).toThrow(RangeError);
    expect(() => canonicalRowId('')).toThrow(RangeError);
    expect(() => envelopeAssociatedData({ ...AD, table: 'public.credentials' })).toThrow(RangeError);
  });

  it('decrypts under any spelling of the same row id: number, bigint, string, upper-case UUID', () => {
    const { ring } = unlockedRing();
    const byNumber = encryptEnvelope(ring, AD, SECRET);
    expect(decryptEnvelope(ring, { ...AD, rowId: 42n }, byNumber)).toBe(SECRET);
    expect(decryptEnvelope(ring, { ...AD, rowId: '42' }, byNumber)).toBe(SECRET);
    const uuid = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const user = { table: 'users', column: 'totp_secret_enc', rowId: uuid.toUpperCase() };
    expect(decryptEnvelope(ring, { ...user, rowId: uuid }, encryptEnvelope(ring, user, SECRET))).toBe(SECRET);
  });
});

describe('decryption failures', () => {
  it('fails with tag_mismatch when any payload byte is flipped', () => {
    const { ring } = unlockedRing();
    const envelope = encryptEnvelope(ring, AD, SECRET);
    for (const index of [0, 11, 12, 20, -1]) {
      const tampered = withPayload(envelope, (bytes) => {
        const i = index < 0 ? bytes.length + index : index;
        bytes[i] = (bytes[i] ?? 0) ^ 0x01;
        return bytes;
      });
      expect(decryptReason(() => decryptEnvelope(ring, AD, tampered))).toBe('tag_mismatch');
    }
  });

  it('fails with unknown_key for a key id the ring does not hold (retired or foreign)', () => {
    const { ring } = unlockedRing();
    const other = newDataKey();
    const foreign = encryptEnvelope(other, AD, SECRET);
    expect(decryptReason(() => decryptEnvelope(ring, AD, foreign))).toBe('unknown_key');
    expect(decryptReason(() => decryptEnvelope(newDataKey(), AD, foreign))).toBe('unknown_key');
  });

  it('fails with bad_prefix, bad_key_id, bad_base64 and too_short on malformed values', () => {
    const { ring } = unlockedRing();
    const envelope = encryptEnvelope(ring, AD, SECRET);
    const id = ring.activeKeyId ?? '';
    expect(decryptReason(() => decryptEnvelope(ring, AD, envelope.replace('aegis:v1:', 'aegis:v2:')))).toBe('bad_prefix');
    expect(decryptReason(() => decryptEnvelope(ring, AD, 'plain text password'))).toBe('bad_prefix');
    expect(decryptReason(() => decryptEnvelope(ring, AD, envelope.replace(id, id.toUpperCase().replace(/[0-9]/g, 'A'))))).toBe('bad_key_id');
    expect(decryptReason(() => decryptEnvelope(ring, AD, `${envelope}=`))).toBe('bad_base64');
    expect(decryptReason(() => decryptEnvelope(ring, AD, `aegis:v1:${id}:`))).toBe('bad_base64');
    expect(decryptReason(() => decryptEnvelope(ring, AD, `aegis:v1:${id}:${randomBytes(27).toString('base64')}`))).toBe('too_short');
  });

  it('throws 500 internal_error carrying table, column, row id and reason but no part of the value or key', () => {
    const { ring, keys } = unlockedRing();
    const envelope = encryptEnvelope(ring, AD, SECRET);
    const err = caught(() => decryptEnvelope(ring, { ...AD, rowId: 7 }, envelope));
    if (!(err instanceof AegisDecryptError)) throw new Error('expected an AegisDecryptError');
    expect(err).toMatchObject({ status: 500, code: 'internal_error', reason: 'tag_mismatch', table: 'credentials', column: 'password_enc', rowId: '7' });
    const text = [err.message, err.stack ?? '', JSON.stringify(err), String(err), JSON.stringify(err.details ?? null)].join(' ');
    const key = keys[0]?.key ?? Buffer.alloc(0);
    for (const leak of [SECRET, 'S3cr3t', key.toString('hex'), key.toString('base64'), envelope.slice(18, 40)]) {
      expect(text).not.toContain(leak);
    }
  });

  it('answers 423 aegis_locked instead of a decrypt failure while the keyring is locked', () => {
    const { ring } = unlockedRing();
    const envelope = encryptEnvelope(ring, AD, SECRET);
    ring.zero();
    const err = caught(() => decryptEnvelope(ring, AD, envelope));
    expect(err instanceof AppError && err.code).toBe('aegis_locked');
    expect(err).not.toBeInstanceOf(AegisDecryptError);
  });
});

describe('ENVELOPE_PATTERN and envelopeKeyId', () => {
  it('matches aegis:v1:, 8 lower-hex digits and padded standard base64 only', () => {
    expect(ENVELOPE_PATTERN.test('aegis:v1:0123abcd:AAAA')).toBe(true);
    expect(ENVELOPE_PATTERN.test('aegis:v1:0123abcd:AA+/AA==')).toBe(true);
    for (const bad of ['aegis:v1:0123ABCD:AAAA', 'aegis:v1:0123abc:AAAA', 'aegis:v2:0123abcd:AAAA', 'aegis:v1:0123abcd:', 'aegis:v1:0123abcd:AA-_', 'aegis:v1:0123abcd:AA===', 'aegis:v1:AAAA', ' aegis:v1:0123abcd:AAAA']) {
      expect(ENVELOPE_PATTERN.test(bad)).toBe(false);
    }
  });

  it('reads the key id of a well-formed envelope and null otherwise', () => {
    expect(envelopeKeyId('aegis:v1:0123abcd:AAAA')).toBe('0123abcd');
    expect(envelopeKeyId('aegis:v1:0123abcd')).toBeNull();
    expect(envelopeKeyId('hunter2')).toBeNull();
  });
});
