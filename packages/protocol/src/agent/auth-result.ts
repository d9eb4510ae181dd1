// Outcome of a pure token or proof check: the verified value, or a failure carrying the catalogue code
// the engine answers with (agent-protocol §3.3). Clocks are injected, shaped like the engine's `Clock`.

import type { ErrorCode } from '../error-codes';

export interface AuthClock {
  now(): Date;
}

export interface AuthFailure<C extends ErrorCode> {
  readonly ok: false;
  readonly code: C;
  /** For logs and the envelope message; never contains the token or proof. */
  readonly message: string;
  /** Set on a DPoP `iat` outside the window: `details.server_time` (§3.2 check 3). */
  readonly serverTime?: string;
}

export type AuthResult<T, C extends ErrorCode> = { readonly ok: true; readonly value: T } | AuthFailure<C>;

export function authFailure<C extends ErrorCode>(code: C, message: string, serverTime?: string): AuthFailure<C> {
  return serverTime === undefined ? { ok: false, code, message } : { ok: false, code, message, serverTime };
}

export function nowSeconds(clock: AuthClock): number {
  return Math.floor(clock.now().getTime() / 1000);
}
