// Agent side of DPoP (§3.2): one fresh proof per HTTP request and websocket upgrade, signed by the
// device key, with `ath` whenever an access token is sent and `nonce` when the engine demands one.

import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { AGENT_JWS_ALG, DPOP_JTI_BYTES, DPOP_PROOF_TYP } from './agent-auth-constants';
import type { AuthClock } from './auth-result';
import { nowSeconds } from './auth-result';
import { encodeB64Url } from './base64';
import { signCompactJws } from './compact-jws';
import { normalizeHtu } from './dpop-htu';
import { jwkFromKey } from './ed25519-jwk';

export interface DpopProofInput {
  /** HTTP method; sent upper-case (`GET` for the websocket upgrade). */
  readonly method: string;
  /** Request URL on the configured host; query and fragment are dropped. */
  readonly url: string;
  /** The access token sent in `Authorization`, if any; sets `ath`. */
  readonly accessToken?: string;
  /** The last `DPoP-Nonce` the engine answered with (reauth, §3.5). */
  readonly nonce?: string;
  /** Corrected agent time (§0 clock offset). */
  readonly clock: AuthClock;
  /** Defaults to 16 random bytes, base64url. */
  readonly jti?: string;
}

/** `ath`: base64url SHA-256 of the access token's ASCII bytes. */
export function accessTokenHash(accessToken: string): string {
  return encodeB64Url(createHash('sha256').update(accessToken, 'ascii').digest());
}

/** Builds the `DPoP` header value for one request. */
export function createDpopProof(privateKey: KeyObject, input: DpopProofInput): string {
  const htu = normalizeHtu(input.url);
  if (htu === undefined) throw new TypeError('createDpopProof: url must be an absolute https URL');
  const header = { typ: DPOP_PROOF_TYP, alg: AGENT_JWS_ALG, jwk: jwkFromKey(privateKey) };
  const payload = {
    jti: input.jti ?? encodeB64Url(randomBytes(DPOP_JTI_BYTES)),
    htm: input.method.toUpperCase(),
    htu,
    iat: nowSeconds(input.clock),
    ...(input.accessToken === undefined ? {} : { ath: accessTokenHash(input.accessToken) }),
    ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
  };
  return signCompactJws(header, payload, privateKey);
}
