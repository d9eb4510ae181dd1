// Password policy reasons of security.md §4.2 and the shipped common-password denylist.

import { describe, expect, it } from 'vitest';
import { AppError } from '../../../errors';
import { checkPasswordPolicy, isCommonPassword, loadCommonPasswords, type PasswordPolicyReason } from './password-policy';

const alice = { username: 'alice', displayName: 'Alice Example' };

function reasonOf(fn: () => void): PasswordPolicyReason | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError && error.code === 'password_policy') {
      expect(error.status).toBe(422);
      expect(error.details?.[0]?.path).toBe('password');
      return error.extra?.reason as PasswordPolicyReason;
    }
    throw error;
  }
  return undefined;
}

describe('password policy', () => {
  it('rejects 11 code points as too_short and accepts 12, counting a combining sequence after NFC', () => {
    // "e" + COMBINING ACUTE composes to one "é": 12 UTF-16 units but 11 code points after NFC.
    const elevenAfterNfc = 'e\u0301' + 'xylophones';
    expect(elevenAfterNfc.length).toBe(12);
    expect(reasonOf(() => checkPasswordPolicy(elevenAfterNfc, alice))).toBe('too_short');
    expect(reasonOf(() => checkPasswordPolicy('e\u0301' + 'xylophonesq', alice))).toBeUndefined();
  });

  it('counts an astral character such as an emoji as one code point', () => {
    expect(reasonOf(() => checkPasswordPolicy('🦊'.repeat(11), alice))).toBe('too_short');
    expect(reasonOf(() => checkPasswordPolicy('🦊'.repeat(12), alice))).toBeUndefined();
  });

  it('accepts 256 code points and rejects 257 as too_long', () => {
    expect(reasonOf(() => checkPasswordPolicy('q'.repeat(256), alice))).toBeUndefined();
    expect(reasonOf(() => checkPasswordPolicy('q'.repeat(257), alice))).toBe('too_long');
  });

  it('rejects a password on the denylist as common, whatever its case', () => {
    expect(reasonOf(() => checkPasswordPolicy('password123456', alice))).toBe('common');
    expect(reasonOf(() => checkPasswordPolicy('PassWord123456', alice))).toBe('common');
  });

  it('rejects the username or display name in any case as matches_username', () => {
    const longName = { username: 'Administrator42', displayName: 'Night Shift Operator' };
    expect(reasonOf(() => checkPasswordPolicy('administrator42', longName))).toBe('matches_username');
    expect(reasonOf(() => checkPasswordPolicy('NIGHT SHIFT OPERATOR', longName))).toBe('matches_username');
  });

  it('rejects a new password equal to the current one as unchanged, but not one differing in case', () => {
    const ctx = { ...alice, currentPassword: 'glacier-orbit-lantern' };
    expect(reasonOf(() => checkPasswordPolicy('glacier-orbit-lantern', ctx))).toBe('unchanged');
    expect(reasonOf(() => checkPasswordPolicy('Glacier-orbit-lantern', ctx))).toBeUndefined();
  });

  it('has no composition rules: a long all-lower-case phrase passes', () => {
    expect(reasonOf(() => checkPasswordPolicy('purple walrus eats toast', alice))).toBeUndefined();
  });

  it('names the field given by the caller in details', () => {
    try {
      checkPasswordPolicy('short', { ...alice, path: 'new_password' });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'password_policy', details: [{ path: 'new_password' }], extra: { reason: 'too_short' } });
    }
  });
});

describe('common password denylist', () => {
  it('ships at least 1,000 distinct lower-case entries, password123456 among them', () => {
    const list = loadCommonPasswords();
    expect(list.size).toBeGreaterThanOrEqual(1000);
    for (const entry of list) {
      expect(entry).toBe(entry.toLowerCase());
      expect(entry).toBe(entry.trim());
    }
    expect(list.has('password123456')).toBe(true);
  });

  it('answers isCommonPassword for listed and unlisted candidates', () => {
    expect(isCommonPassword('qwertyuiop123')).toBe(true);
    expect(isCommonPassword('1qaz2wsx3edc')).toBe(true);
    expect(isCommonPassword('purple walrus eats toast')).toBe(false);
  });
});
