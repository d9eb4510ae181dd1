// The failure of unwrapping one data key (security.md §3.2). After a matching verifier this means a
// damaged key row: 500 internal_error, audit `aegis.decrypt_failed`, and the engine stays locked.

import { AppError } from '../../../errors';

export const AEGIS_UNWRAP_REASONS = ['bad_prefix', 'bad_base64', 'bad_length', 'tag_mismatch'] as const;
export type AegisUnwrapReason = (typeof AEGIS_UNWRAP_REASONS)[number];

/** Carries the key id and the reason, never the wrapped bytes, the KEK or the key. */
export class AegisUnwrapError extends AppError {
  constructor(
    readonly reason: AegisUnwrapReason,
    readonly keyId: string,
  ) {
    super('internal_error', 'An Aegis data key could not be unwrapped');
    this.name = 'AegisUnwrapError';
  }
}
