// The Aegis KDF derives exactly scrypt(N=32768, r=8, p=1, 64 bytes) over the NFC passphrase, without
// blocking the event loop, and its verification token separates right from wrong passphrases.

import { createHmac, scrypt } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AegisKdfParamsSchema,
  deriveAegisKeys,
  kdfSalt,
  newKdfParams,
  verificationMatches,
  verificationToken,
  type AegisKeys,
} from './kdf';

const SALT = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const PASSPHRASE = 'correct horse battery staple';

function directScrypt(passphrase: Buffer, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase, salt, 64, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

describe('deriveAegisKeys', () => {
  let keys: AegisKeys;
  let ranDuringDerivation = false;

  beforeAll(async () => {
    const pending = deriveAegisKeys(PASSPHRASE, SALT);
    setImmediate(() => {
      ranDuringDerivation = true;
    });
    keys = await pending;
  });

  it('matches a direct crypto.scrypt call with N=32768, r=8, p=1 and 64 bytes: KEK is bytes 0–31, verify key 32–63', async () => {
    const expected = await directScrypt(Buffer.from(PASSPHRASE, 'utf8'), SALT);
    expect(keys.kek.toString('hex')).toBe(expected.subarray(0, 32).toString('hex'));
    expect(keys.verifyKey.toString('hex')).toBe(expected.subarray(32, 64).toString('hex'));
  });

  it('lets the event loop run while scrypt works (asynchronous scrypt, not scryptSync)', () => {
    expect(ranDuringDerivation).toBe(true);
  });

  it('returns KEK and verify key in separate buffers, so zeroing one leaves the other intact', () => {
    expect(keys.kek.buffer).not.toBe(keys.verifyKey.buffer);
    expect(keys.kek.length).toBe(32);
    expect(keys.verifyKey.length).toBe(32);
  });

  it('derives the same keys from the composed and the decomposed form of "é"', async () => {
    const [composed, decomposed] = await Promise.all([
      deriveAegisKeys('caf\u00e9 au lait, s\u00e9rieux', SALT),
      deriveAegisKeys('cafe\u0301 au lait, se\u0301rieux', SALT),
    ]);
    expect(composed.kek.equals(decomposed.kek)).toBe(true);
    expect(composed.verifyKey.equals(decomposed.verifyKey)).toBe(true);
    expect(composed.kek.equals(keys.kek)).toBe(false);
  });

  it('gives a wrong passphrase a different verification token that does not match the stored one', async () => {
    const stored = verificationToken(keys.verifyKey);
    const wrong = await deriveAegisKeys(`${PASSPHRASE}!`, SALT);
    expect(verificationToken(wrong.verifyKey)).not.toBe(stored);
    expect(verificationMatches(wrong.verifyKey, stored)).toBe(false);
    expect(verificationMatches(keys.verifyKey, stored)).toBe(true);
  });

  it('rejects a salt that is not 16 bytes', async () => {
    await expect(deriveAegisKeys(PASSPHRASE, Buffer.alloc(15))).rejects.toThrow(RangeError);
  });
});

describe('verification token', () => {
  const verifyKey = Buffer.alloc(32, 7);

  it('is lower-hex HMAC-SHA256 of "borealis-aegis-verify-v1" under the verify key', () => {
    const token = verificationToken(verifyKey);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(token).toBe(createHmac('sha256', verifyKey).update('borealis-aegis-verify-v1').digest('hex'));
  });

  it('never matches a token of another length or alphabet, without throwing', () => {
    const token = verificationToken(verifyKey);
    expect(verificationMatches(verifyKey, token.slice(0, 63))).toBe(false);
    expect(verificationMatches(verifyKey, `${token}0`)).toBe(false);
    expect(verificationMatches(verifyKey, token.toUpperCase())).toBe(false);
    expect(verificationMatches(verifyKey, '')).toBe(false);
  });
});

describe('kdf params', () => {
  it('draws a fresh 16-byte salt each time with the spec cost parameters', () => {
    const a = newKdfParams();
    const b = newKdfParams();
    expect(a).toMatchObject({ n: 32768, r: 8, p: 1, dk_len: 64 });
    expect(a.salt).not.toBe(b.salt);
    expect(kdfSalt(a)).toHaveLength(16);
    expect(AegisKdfParamsSchema.parse(JSON.parse(JSON.stringify(a)))).toEqual(a);
  });

  it('refuses stored params with other costs, a short salt or extra fields', () => {
    const good = newKdfParams();
    expect(AegisKdfParamsSchema.safeParse({ ...good, n: 16384 }).success).toBe(false);
    expect(AegisKdfParamsSchema.safeParse({ ...good, salt: Buffer.alloc(15).toString('base64') }).success).toBe(false);
    expect(AegisKdfParamsSchema.safeParse({ ...good, salt: 'not base64!' }).success).toBe(false);
    expect(AegisKdfParamsSchema.safeParse({ ...good, extra: 1 }).success).toBe(false);
  });
});
