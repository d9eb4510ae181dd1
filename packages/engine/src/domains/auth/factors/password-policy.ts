// Password policy (security.md §4.2, NIST SP 800-63B): length in NFC code points, not the username,
// not a common password, not the current one. No composition rules. The denylist also serves §3.1.

import { readFileSync } from 'node:fs';
import { AppError } from '../../../errors';

export const PASSWORD_MIN_CODE_POINTS = 12;
export const PASSWORD_MAX_CODE_POINTS = 256;

export type PasswordPolicyReason = 'too_short' | 'too_long' | 'common' | 'matches_username' | 'unchanged';

export interface PasswordPolicyContext {
  readonly username: string;
  readonly displayName?: string | null;
  /** The password being replaced, on a change; a new password must differ from it. */
  readonly currentPassword?: string | null;
  /** Body field named in `details` (default `password`; a change route passes `new_password`). */
  readonly path?: string;
}

/** Throws `422 password_policy` with `reason` naming the first rule the password breaks. */
export function checkPasswordPolicy(password: string, context: PasswordPolicyContext): void {
  const path = context.path ?? 'password';
  const fail = (reason: PasswordPolicyReason, message: string): never => {
    throw new AppError('password_policy', message, [{ path, message }], { reason });
  };
  const normalised = password.normalize('NFC');
  // Code points, not UTF-16 units: an emoji is one character to the person typing it.
  const length = [...normalised].length;
  if (length < PASSWORD_MIN_CODE_POINTS) fail('too_short', `Use at least ${PASSWORD_MIN_CODE_POINTS} characters`);
  if (length > PASSWORD_MAX_CODE_POINTS) fail('too_long', `Use at most ${PASSWORD_MAX_CODE_POINTS} characters`);

  // The most specific complaint first, so the person knows exactly what to change.
  const lowered = normalised.toLowerCase();
  const names = [context.username, context.displayName].filter((n): n is string => typeof n === 'string' && n !== '');
  if (names.some((n) => n.normalize('NFC').toLowerCase() === lowered)) {
    fail('matches_username', 'The password must not be your username or display name');
  }
  if (typeof context.currentPassword === 'string' && context.currentPassword.normalize('NFC') === normalised) {
    fail('unchanged', 'The new password must differ from the current one');
  }
  if (isCommonPassword(lowered)) fail('common', 'This password is too common; choose another');
}

/** True when the lower-cased candidate is on the shipped list of common passwords. */
export function isCommonPassword(candidateLowerCase: string): boolean {
  return loadCommonPasswords().has(candidateLowerCase.normalize('NFC').toLowerCase());
}

// The list is immutable data, so one copy per process is shared by every engine in it; it is read on
// first use rather than at import so that modules which never check a password never pay for it.
let commonPasswords: ReadonlySet<string> | undefined;

/**
 * The denylist: `common-passwords.txt` beside this module, one lower-case password a line, compiled
 * from the public top-password lists, plus the long keyboard walks and number runs from those lists
 * that still matter under a 12-character minimum.
 */
export function loadCommonPasswords(): ReadonlySet<string> {
  if (!commonPasswords) {
    const text = readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8');
    commonPasswords = new Set(
      text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== ''),
    );
  }
  return commonPasswords;
}
