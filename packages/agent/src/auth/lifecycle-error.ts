// Engine answers that end the current lifecycle (agent-protocol.md §3.3): re-enrol with the stored
// code (device_purged, device_not_found, fingerprint_mismatch) or stop (device_revoked).

export const REENROL_CODES: ReadonlySet<string> = new Set(['device_purged', 'device_not_found', 'fingerprint_mismatch']);
export const REFRESH_FAILURE_CODES: ReadonlySet<string> = new Set(['invalid_refresh_token', 'refresh_token_expired', 'refresh_token_revoked', 'refresh_token_reused']);
export const TOKEN_RETRY_CODES: ReadonlySet<string> = new Set(['token_expired', 'token_version_mismatch', 'invalid_token']);
export const DPOP_RETRY_CODES: ReadonlySet<string> = new Set(['dpop_invalid', 'dpop_replayed']);

export class LifecycleError extends Error {
  override readonly name = 'LifecycleError';
  constructor(
    readonly kind: 'reenrol' | 'revoked',
    readonly code: string,
  ) {
    super(kind === 'reenrol' ? `the engine no longer knows this device (${code}); re-enrolling with the stored code` : `the device is revoked (${code}); roles stopped`);
  }
}

export function lifecycleErrorFor(code: string): LifecycleError | undefined {
  if (REENROL_CODES.has(code)) return new LifecycleError('reenrol', code);
  if (code === 'device_revoked') return new LifecycleError('revoked', code);
  return undefined;
}
