// Recovery codes of security.md §4.5: ten distinct Crockford codes, forgiving input, stable hashes.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateRecoveryCodes, hashRecoveryCode, normaliseRecoveryCode } from './recovery-codes';

const DISPLAY = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

describe('recovery codes', () => {
  it('generates ten distinct codes in XXXX-XXXX-XXXX-XXXX Crockford form with matching hashes', () => {
    const { codes, hashes } = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(DISPLAY);
    expect(hashes).toHaveLength(10);
    codes.forEach((code, i) => {
      expect(hashes[i]).toHaveLength(32);
      expect(hashes[i]!.equals(hashRecoveryCode(normaliseRecoveryCode(code)!))).toBe(true);
    });
  });

  it('spreads over the whole alphabet (80 random bits, not a fixed prefix)', () => {
    const chars = new Set(Array.from({ length: 20 }, () => generateRecoveryCodes().codes.join('')).join('').replaceAll('-', ''));
    expect(chars.size).toBe(32);
  });

  it('normalises input ignoring case, spaces and dashes', () => {
    expect(normaliseRecoveryCode('abcd efgh-jkmn-pqrs')).toBe('ABCDEFGHJKMNPQRS');
    expect(normaliseRecoveryCode('  ABCD-EFGH-JKMN-PQRS  ')).toBe('ABCDEFGHJKMNPQRS');
    expect(normaliseRecoveryCode('abcdefghjkmnpqrs')).toBe('ABCDEFGHJKMNPQRS');
  });

  it('reads the Crockford aliases I and L as 1 and O as 0', () => {
    expect(normaliseRecoveryCode('ILOo-0000-1111-2222')).toBe('1100000011112222');
  });

  it('returns null for anything that is not 16 valid characters', () => {
    for (const bad of ['', 'ABCD-EFGH-JKMN-PQR', 'ABCD-EFGH-JKMN-PQRST', 'ABCD-EFGH-JKMN-PQRU', 'ABCD_EFGH_JKMN_PQRS', 'x'.repeat(100)]) {
      expect(normaliseRecoveryCode(bad)).toBeNull();
    }
  });

  it('hashes a normalised code to a stable SHA-256 and refuses non-normalised input', () => {
    const hash = hashRecoveryCode('ABCDEFGHJKMNPQRS');
    expect(hash.equals(createHash('sha256').update('ABCDEFGHJKMNPQRS').digest())).toBe(true);
    expect(hash.toString('hex')).toBe(hashRecoveryCode(normaliseRecoveryCode('abcd efgh-jkmn-pqrs')!).toString('hex'));
    expect(() => hashRecoveryCode('abcd-efgh-jkmn-pqrs')).toThrow(TypeError);
  });
});
