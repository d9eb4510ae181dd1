// The token checks that need the device row (§3.3 steps 7–8), kept pure so every caller applies them
// in the spec's order: key first (`fingerprint_mismatch`), then `token_version_mismatch`.

import type { AccessTokenClaims } from './access-token';
import { authFailure, type AuthResult } from './auth-result';

export interface DeviceBinding {
  /** Fingerprint of the device's current key. */
  readonly sslKeyFingerprint: string;
  readonly tokenVersion: number;
}

export function checkDeviceBinding(
  claims: Pick<AccessTokenClaims, 'ssl_key_fingerprint' | 'token_version'>,
  device: DeviceBinding,
): AuthResult<null, 'fingerprint_mismatch' | 'token_version_mismatch'> {
  if (claims.ssl_key_fingerprint !== device.sslKeyFingerprint) return authFailure('fingerprint_mismatch', "token key is not the device's current key");
  if (claims.token_version !== device.tokenVersion) return authFailure('token_version_mismatch', 'token_version differs from the device');
  return { ok: true, value: null };
}
