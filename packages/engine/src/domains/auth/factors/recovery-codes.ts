// Recovery codes (security.md §4.5): ten single-use codes of 16 Crockford base32 characters (80 bits),
// shown once as XXXX-XXXX-XXXX-XXXX and stored only as SHA-256 of the normalised form.

import { createHash, randomBytes } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
const CODE_CHARS = 16;
// Crockford's alphabet: digits and letters without I, L, O and U, so codes read aloud unambiguously.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const NORMALISED = /^[0-9A-HJKMNP-TV-Z]{16}$/;

export interface GeneratedRecoveryCodes {
  /** Display form, shown to the user once. */
  readonly codes: string[];
  /** SHA-256 of each normalised code, in the same order; what the database keeps. */
  readonly hashes: Buffer[];
}

export function generateRecoveryCodes(): GeneratedRecoveryCodes {
  const normalised = new Set<string>();
  // A repeat has odds of about 2^-74; the loop only makes "ten distinct" a guarantee.
  while (normalised.size < RECOVERY_CODE_COUNT) normalised.add(randomCode());
  const list = [...normalised];
  return {
    codes: list.map(displayForm),
    hashes: list.map(hashRecoveryCode),
  };
}

/**
 * The canonical 16-character form of what a person typed, or null if it cannot be a code. Case,
 * dashes and whitespace are ignored, and Crockford's aliases are read as he specifies: I and L as 1,
 * O as 0 (codes never contain those letters, so this only forgives misreading).
 */
export function normaliseRecoveryCode(input: string): string | null {
  // Bounded before any work: nothing this long is a code.
  if (input.length > 64) return null;
  const code = input
    .replace(/[\s-]/g, '')
    .toUpperCase()
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  return NORMALISED.test(code) ? code : null;
}

/** SHA-256 of a normalised code; throws on anything else, which would silently never match. */
export function hashRecoveryCode(normalised: string): Buffer {
  if (!NORMALISED.test(normalised)) throw new TypeError('hashRecoveryCode takes a normalised recovery code');
  return createHash('sha256').update(normalised, 'utf8').digest();
}

function displayForm(code: string): string {
  return [0, 4, 8, 12].map((i) => code.slice(i, i + 4)).join('-');
}

// 10 random bytes = 80 bits = exactly 16 five-bit Crockford digits.
function randomCode(): string {
  const bytes = randomBytes((CODE_CHARS * 5) / 8);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let out = '';
  for (let i = CODE_CHARS - 1; i >= 0; i -= 1) out += CROCKFORD.charAt(Number((bits >> BigInt(i * 5)) & 31n));
  return out;
}
