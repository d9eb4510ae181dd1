// Data keys are 32 random bytes in their own memory, wrapped under the KEK as aegis-wrap:v1: with
// the key id as associated data; any damaged, misfiled or mis-keyed wrap fails with a typed error.

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AegisUnwrapError, type AegisUnwrapReason } from './aegis-unwrap-error';
import { newDataKey, newKeyId, unwrapDataKey, wrapDataKey } from './data-key';

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected the unwrap to fail');
}

function unwrapReason(run: () => unknown): AegisUnwrapReason {
  const err = caught(run);
  if (err instanceof AegisUnwrapError) return err.reason;
  throw err;
}

describe('data keys', () => {
  it('draws 32 random bytes in unpooled memory under an 8-digit lower-hex key id', () => {
    const a = newDataKey();
    const b = newDataKey();
    expect(a.keyId).toMatch(/^[0-9a-f]{8}$/);
    expect(newKeyId()).toMatch(/^[0-9a-f]{8}$/);
    expect(a.key).toHaveLength(32);
    expect(a.key.buffer.byteLength).toBe(32);
    expect(a.key.equals(b.key)).toBe(false);
    expect(a.key.equals(Buffer.alloc(32))).toBe(false);
  });

  it('wraps to aegis-wrap:v1: + base64 of 60 bytes and unwraps to the same key', () => {
    const kek = randomBytes(32);
    const { keyId, key } = newDataKey();
    const wrapped = wrapDataKey(kek, keyId, key);
    expect(wrapped).toMatch(/^aegis-wrap:v1:[A-Za-z0-9+/]{80}$/);
    expect(Buffer.from(wrapped.slice('aegis-wrap:v1:'.length), 'base64')).toHaveLength(60);
    expect(wrapDataKey(kek, keyId, key)).not.toBe(wrapped);
    expect(unwrapDataKey(kek, keyId, wrapped).equals(key)).toBe(true);
  });

  it('fails with tag_mismatch under another KEK or filed under another key id', () => {
    const kek = randomBytes(32);
    const { keyId, key } = newDataKey();
    const wrapped = wrapDataKey(kek, keyId, key);
    expect(unwrapReason(() => unwrapDataKey(randomBytes(32), keyId, wrapped))).toBe('tag_mismatch');
    expect(unwrapReason(() => unwrapDataKey(kek, keyId === '00000000' ? '00000001' : '00000000', wrapped))).toBe('tag_mismatch');
  });

  it('fails on a tampered byte, another prefix, bad base64 or a wrong length', () => {
    const kek = randomBytes(32);
    const { keyId, key } = newDataKey();
    const wrapped = wrapDataKey(kek, keyId, key);
    const raw = Buffer.from(wrapped.slice(14), 'base64');
    raw[20] = (raw[20] ?? 0) ^ 1;
    expect(unwrapReason(() => unwrapDataKey(kek, keyId, `aegis-wrap:v1:${raw.toString('base64')}`))).toBe('tag_mismatch');
    expect(unwrapReason(() => unwrapDataKey(kek, keyId, wrapped.replace('aegis-wrap:v1:', 'aegis:v1:')))).toBe('bad_prefix');
    expect(unwrapReason(() => unwrapDataKey(kek, keyId, `${wrapped}!`))).toBe('bad_base64');
    expect(unwrapReason(() => unwrapDataKey(kek, keyId, `aegis-wrap:v1:${raw.subarray(0, 59).toString('base64')}`))).toBe('bad_length');
  });

  it('reports a failed unwrap as 500 internal_error naming the key id only', () => {
    const kek = randomBytes(32);
    const { keyId, key } = newDataKey();
    const wrapped = wrapDataKey(kek, keyId, key);
    const e = caught(() => unwrapDataKey(randomBytes(32), keyId, wrapped));
    if (!(e instanceof AegisUnwrapError)) throw new Error('expected an AegisUnwrapError');
    expect(e.status).toBe(500);
    expect(e.code).toBe('internal_error');
    expect(e.keyId).toBe(keyId);
    const text = `${e.message} ${e.stack ?? ''} ${JSON.stringify(e)}`;
    expect(text).not.toContain(key.toString('hex'));
    expect(text).not.toContain(key.toString('base64'));
    expect(text).not.toContain(wrapped.slice(14));
  });
});
