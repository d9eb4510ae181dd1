// The Aegis passphrase policy counts NFC code points (12–1,024, not trimmed) and asks the injected
// denylist with the lower-cased passphrase; failures are 422 aegis_passphrase_too_weak on `cipher`.

import { describe, expect, it } from 'vitest';
import { AppError } from '../../../errors';
import { checkAegisPassphrase, type AegisPassphrasePolicyDeps } from './passphrase-policy';

const noneCommon: AegisPassphrasePolicyDeps = { isCommonPassword: () => false };

function failure(passphrase: string, deps: AegisPassphrasePolicyDeps = noneCommon): AppError {
  try {
    checkAegisPassphrase(passphrase, deps);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected the passphrase to be rejected');
}

describe('checkAegisPassphrase', () => {
  it('rejects 11 code points and accepts 12', () => {
    expect(failure('a'.repeat(11)).code).toBe('aegis_passphrase_too_weak');
    expect(() => checkAegisPassphrase('a'.repeat(12), noneCommon)).not.toThrow();
  });

  it('counts an emoji as one code point: 11 emoji (22 UTF-16 units) fail, 12 pass', () => {
    expect(failure('😀'.repeat(11)).code).toBe('aegis_passphrase_too_weak');
    expect(() => checkAegisPassphrase('😀'.repeat(12), noneCommon)).not.toThrow();
  });

  it('counts after NFC: 11 decomposed "é" (22 code points before NFC) are too short', () => {
    expect(failure('e\u0301'.repeat(11)).code).toBe('aegis_passphrase_too_weak');
    expect(() => checkAegisPassphrase('e\u0301'.repeat(12), noneCommon)).not.toThrow();
  });

  it('accepts 1,024 code points and rejects 1,025', () => {
    expect(() => checkAegisPassphrase('x'.repeat(1024), noneCommon)).not.toThrow();
    expect(failure('x'.repeat(1025)).code).toBe('aegis_passphrase_too_weak');
  });

  it('does not trim: two spaces plus 10 letters is 12 code points', () => {
    expect(() => checkAegisPassphrase('  abcdefghij', noneCommon)).not.toThrow();
    expect(failure('  abcdefghi').code).toBe('aegis_passphrase_too_weak');
  });

  it('rejects a passphrase the injected denylist calls common, asking it in lower case after NFC', () => {
    const asked: string[] = [];
    const deps = {
      isCommonPassword: (lower: string) => {
        asked.push(lower);
        return lower === 'correcthorsebattery\u00e9';
      },
    };
    expect(failure('CorrectHorseBatterye\u0301', deps).code).toBe('aegis_passphrase_too_weak');
    expect(asked).toEqual(['correcthorsebattery\u00e9']);
    expect(() => checkAegisPassphrase('CorrectHorseBatteryStaple', deps)).not.toThrow();
  });

  it('answers 422 with details on path "cipher" and never echoes the passphrase', () => {
    const secret = 'hunter2-short';
    const tooShort = failure(secret.slice(0, 11));
    expect(tooShort.status).toBe(422);
    expect(tooShort.details).toEqual([{ path: 'cipher', message: tooShort.message }]);
    const common = failure(`${secret}-long`, { isCommonPassword: () => true });
    expect(common.details?.[0]?.path).toBe('cipher');
    expect(JSON.stringify({ m: common.message, d: common.details })).not.toContain(secret);
  });
});
