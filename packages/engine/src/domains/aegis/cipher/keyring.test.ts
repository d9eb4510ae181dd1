// The keyring holds copies of the data keys, hands out the active one, and zero() wipes every key
// to zeros and leaves a locked, empty ring.

import { describe, expect, it } from 'vitest';
import { AppError } from '../../../errors';
import { newDataKey } from './data-key';
import { createKeyring, zeroBuffers } from './keyring';

describe('createKeyring', () => {
  it('starts locked and refuses to give out an active key with 423 aegis_locked', () => {
    const ring = createKeyring();
    expect(ring.isUnlocked).toBe(false);
    expect(ring.activeKeyId).toBeNull();
    expect(() => ring.activeKey()).toThrow(AppError);
    expect(ring.key('00000000')).toBeUndefined();
  });

  it('loads copies of the keys and serves the active key and any other by id', () => {
    const a = newDataKey();
    const b = newDataKey();
    const ring = createKeyring();
    ring.load(new Map([[a.keyId, a.key], [b.keyId, b.key]]), b.keyId);
    expect(ring.isUnlocked).toBe(true);
    expect(ring.activeKey().keyId).toBe(b.keyId);
    expect(ring.activeKey().key.equals(b.key)).toBe(true);
    expect(ring.key(a.keyId)?.equals(a.key)).toBe(true);
    expect(ring.key(a.keyId)).not.toBe(a.key);
    expect(ring.key(a.keyId)?.buffer.byteLength).toBe(32);
    expect(ring.keyIds().sort()).toEqual([a.keyId, b.keyId].sort());
  });

  it('zero() fills every held key with zeros and leaves a locked, empty ring', () => {
    const a = newDataKey();
    const b = newDataKey();
    const ring = createKeyring();
    ring.load(new Map([[a.keyId, a.key], [b.keyId, b.key]]), a.keyId);
    const held = [ring.key(a.keyId), ring.key(b.keyId)];
    ring.zero();
    for (const buffer of held) expect(buffer?.equals(Buffer.alloc(32))).toBe(true);
    expect(ring.isUnlocked).toBe(false);
    expect(ring.activeKeyId).toBeNull();
    expect(ring.keyIds()).toEqual([]);
    expect(ring.key(a.keyId)).toBeUndefined();
    expect(a.key.equals(Buffer.alloc(32))).toBe(false);
  });

  it('reloading zeroes the keys it drops and keeps the ones passed back in', () => {
    const old = newDataKey();
    const next = newDataKey();
    const ring = createKeyring();
    ring.load(new Map([[old.keyId, old.key]]), old.keyId);
    const oldHeld = ring.key(old.keyId);
    ring.load(new Map([[next.keyId, next.key], [old.keyId, ring.key(old.keyId) ?? Buffer.alloc(0)]]), next.keyId);
    expect(oldHeld?.equals(Buffer.alloc(32))).toBe(true);
    expect(ring.key(old.keyId)?.equals(old.key)).toBe(true);
    expect(ring.activeKeyId).toBe(next.keyId);
  });

  it('refuses a malformed key id, a key that is not 32 bytes or an active id it does not hold', () => {
    const k = newDataKey();
    const ring = createKeyring();
    expect(() => ring.load(new Map([['ABCDEF01', k.key]]), 'ABCDEF01')).toThrow(RangeError);
    expect(() => ring.load(new Map([[k.keyId, Buffer.alloc(16)]]), k.keyId)).toThrow(RangeError);
    expect(() => ring.load(new Map([[k.keyId, k.key]]), '00000000' === k.keyId ? '00000001' : '00000000')).toThrow(RangeError);
    expect(ring.isUnlocked).toBe(false);
  });
});

describe('zeroBuffers', () => {
  it('fills each buffer with zeros and skips null and undefined', () => {
    const a = Buffer.from('secret');
    const b = Buffer.alloc(4, 9);
    zeroBuffers(a, null, b, undefined);
    expect(a.equals(Buffer.alloc(6))).toBe(true);
    expect(b.equals(Buffer.alloc(4))).toBe(true);
  });
});
