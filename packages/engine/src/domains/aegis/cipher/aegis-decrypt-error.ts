// The failure of reading one stored envelope (security.md §3.3): 500 internal_error to the caller,
// with the reason and the row kept on the error for the `aegis.decrypt_failed` audit row.

import { AppError } from '../../../errors';

export const AEGIS_DECRYPT_REASONS = ['bad_prefix', 'bad_key_id', 'unknown_key', 'bad_base64', 'too_short', 'tag_mismatch'] as const;
export type AegisDecryptReason = (typeof AEGIS_DECRYPT_REASONS)[number];

/** Carries where and why, never any byte of the value, the plaintext or a key. */
export class AegisDecryptError extends AppError {
  constructor(
    readonly reason: AegisDecryptReason,
    readonly table: string,
    readonly column: string,
    readonly rowId: string,
  ) {
    super('internal_error', 'A stored secret could not be decrypted');
    this.name = 'AegisDecryptError';
  }
}
