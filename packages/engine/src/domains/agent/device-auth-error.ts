// A device authentication refusal (agent-protocol §3.2–§3.5): an AppError that also names the
// response headers the agent needs (`WWW-Authenticate` on DPoP failures, `DPoP-Nonce`, `Retry-After`).

import type { ErrorCode, ErrorDetail } from '@borealis/protocol';
import { AppError } from '../../errors';

export interface DeviceAuthErrorOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly details?: readonly ErrorDetail[];
  readonly extra?: Readonly<Record<string, string | number>>;
}

export class DeviceAuthError extends AppError {
  readonly headers: Readonly<Record<string, string>>;
  constructor(code: ErrorCode, message: string, options: DeviceAuthErrorOptions = {}) {
    super(code, message, options.details, options.extra);
    this.name = 'DeviceAuthError';
    this.headers = options.headers ?? {};
  }
}

/**
 * §3.2: every DPoP failure carries the `invalid_dpop_proof` challenge; an `iat` failure also tells
 * the server time, as `details: [{path: "server_time", message: <ISO time>}]` and `server_time`.
 */
export function dpopFailure(code: 'dpop_invalid' | 'dpop_replayed', message: string, serverTime?: string): DeviceAuthError {
  return new DeviceAuthError(code, message, {
    headers: { 'www-authenticate': 'DPoP error="invalid_dpop_proof"' },
    ...(serverTime ? { details: [{ path: 'server_time', message: serverTime }], extra: { server_time: serverTime } } : {}),
  });
}

export function rateLimited(retryAfterSeconds: number, message = `Too many requests; retry in ${retryAfterSeconds} s`): DeviceAuthError {
  return new DeviceAuthError('rate_limited', message, { headers: { 'retry-after': String(retryAfterSeconds) }, extra: { retry_after: retryAfterSeconds } });
}
