// The Aegis passphrase policy (security.md §3.1): 12–1,024 code points after NFC, not trimmed,
// not on the common-password denylist. The passphrase never appears in the error.

import { AppError } from '../../../errors';

export const AEGIS_PASSPHRASE_MIN_CODE_POINTS = 12;
export const AEGIS_PASSPHRASE_MAX_CODE_POINTS = 1024;

export interface AegisPassphrasePolicyDeps {
  /** The engine's common-password denylist (§4.2), asked with the NFC, lower-cased passphrase. */
  isCommonPassword(lower: string): boolean;
}

/** Throws 422 `aegis_passphrase_too_weak` with `details[{path:'cipher'}]` when the policy fails. */
export function checkAegisPassphrase(passphrase: string, deps: AegisPassphrasePolicyDeps): void {
  const normalised = passphrase.normalize('NFC');
  const length = countCodePoints(normalised, AEGIS_PASSPHRASE_MAX_CODE_POINTS + 1);
  if (length < AEGIS_PASSPHRASE_MIN_CODE_POINTS || length > AEGIS_PASSPHRASE_MAX_CODE_POINTS) {
    tooWeak(`The Aegis passphrase must be ${AEGIS_PASSPHRASE_MIN_CODE_POINTS} to 1,024 characters long`);
  }
  if (deps.isCommonPassword(normalised.toLowerCase())) {
    tooWeak('The Aegis passphrase is too common; choose a less guessable one');
  }
}

/** Counts code points (an emoji is one), stopping at `cap` so a huge input costs no more. */
function countCodePoints(text: string, cap: number): number {
  let count = 0;
  for (const _ of text) {
    count += 1;
    if (count >= cap) break;
  }
  return count;
}

function tooWeak(message: string): never {
  throw new AppError('aegis_passphrase_too_weak', message, [{ path: 'cipher', message }]);
}
