// Engine side of DPoP (§3.2 checks 1–5 and the server nonce): a pure validator with an injected clock.
// It returns the `jkt` and the `dpop_replay` key; storing that key (check 6) is the caller's job.

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AGENT_JWS_ALG, DPOP_HEADER_MAX_BYTES, DPOP_IAT_SKEW_SECONDS, DPOP_PROOF_TYP, DPOP_REPLAY_RETENTION_SECONDS } from './agent-auth-constants';
import { authFailure, type AuthClock, type AuthResult } from './auth-result';
import { parseCompactJws, verifyEd25519 } from './compact-jws';
import { isHtuMatch } from './dpop-htu';
import { accessTokenHash } from './dpop-proof';
import { Ed25519PublicJwkSchema, jwkThumbprint, publicKeyFromJwk } from './ed25519-jwk';

export const DpopProofHeaderSchema = z
  .object({ typ: z.literal(DPOP_PROOF_TYP), alg: z.literal(AGENT_JWS_ALG), jwk: Ed25519PublicJwkSchema, crit: z.never().optional() })
  .loose();

export const DpopProofClaimsSchema = z
  .object({
    jti: z.string().regex(/^[A-Za-z0-9_-]{22,64}$/, 'must be at least 16 bytes of base64url, at most 64 characters'),
    htm: z.string(),
    htu: z.string(),
    iat: z.number(),
    ath: z.string().optional(),
    nonce: z.string().optional(),
  })
  .loose();
export type DpopProofClaims = z.infer<typeof DpopProofClaimsSchema>;

export interface DpopRequest {
  /** The request method (`GET` for the websocket upgrade). */
  readonly method: string;
  /** This request's URL built from `BOREALIS_PUBLIC_URL` and the path, never from Host; a query is ignored. */
  readonly url: string;
  /** The access token from `Authorization`, when one was sent: `ath` is then required, else forbidden. */
  readonly accessToken?: string;
  /** Required thumbprint: the token's `cnf.jkt`, or on enrolment the key in `agent_pubkey`. */
  readonly expectedJkt?: string;
  /** Present where the route demands a server nonce (§3.5): true when the proof's nonce is current. */
  readonly isNonceValid?: (nonce: string) => boolean;
}

export interface DpopValidateOptions {
  readonly clock: AuthClock;
  /** `BOREALIS_DPOP_SKEW`, default 60 s. */
  readonly skewSeconds?: number;
}

export interface ValidatedDpopProof {
  readonly jkt: string;
  readonly jti: string;
  readonly claims: DpopProofClaims;
  /** `dpop_replay.key`: SHA-256 of the UTF-8 string `jkt.jti`. */
  readonly replayKey: Buffer;
  /** `dpop_replay.expires_at`: now + 150 s. */
  readonly replayExpiresAt: Date;
}

/** `dpop_replay.key` for a proof (data-model `dpop_replay`). */
export function dpopReplayKey(jkt: string, jti: string): Buffer {
  return createHash('sha256').update(`${jkt}.${jti}`, 'utf8').digest();
}

/**
 * Checks one `DPoP` header value (as the HTTP layer hands it over: absent, one string, or repeated).
 * Failures are `dpop_invalid`, or `use_dpop_nonce` for a missing or stale nonce where one is demanded.
 */
export function validateDpopProof(
  headerValue: string | readonly string[] | undefined,
  request: DpopRequest,
  options: DpopValidateOptions,
): AuthResult<ValidatedDpopProof, 'dpop_invalid' | 'use_dpop_nonce'> {
  const proof = typeof headerValue === 'string' ? headerValue : headerValue?.length === 1 ? headerValue[0] : undefined;
  if (proof === undefined) return authFailure('dpop_invalid', 'exactly one DPoP header is required');
  if (Buffer.byteLength(proof, 'utf8') > DPOP_HEADER_MAX_BYTES) return authFailure('dpop_invalid', 'DPoP header is larger than 2 KiB');

  // 1. Structure and signature.
  const jws = parseCompactJws(proof);
  if (!jws) return authFailure('dpop_invalid', 'DPoP proof is not a compact JWS');
  const header = DpopProofHeaderSchema.safeParse(jws.header);
  if (!header.success) return authFailure('dpop_invalid', 'DPoP header is not {typ:dpop+jwt, alg:EdDSA, public Ed25519 jwk}');
  const jwk = header.data.jwk;
  if (!verifyEd25519(publicKeyFromJwk(jwk), jws.signingInput, jws.signature)) return authFailure('dpop_invalid', 'DPoP signature is invalid');
  const parsed = DpopProofClaimsSchema.safeParse(jws.payload);
  if (!parsed.success) return authFailure('dpop_invalid', 'DPoP claims are malformed');
  const claims = parsed.data;

  // 2. Method and URL.
  if (claims.htm !== request.method.toUpperCase()) return authFailure('dpop_invalid', 'DPoP htm does not match the request method');
  if (!isHtuMatch(claims.htu, request.url)) return authFailure('dpop_invalid', 'DPoP htu does not match the request URL');

  // 3. Freshness.
  const now = options.clock.now();
  const skew = options.skewSeconds ?? DPOP_IAT_SKEW_SECONDS;
  if (!(Math.abs(claims.iat - now.getTime() / 1000) <= skew)) {
    return authFailure('dpop_invalid', `DPoP iat is more than ${skew} s from server time`, now.toISOString());
  }

  // 4. Token binding hash.
  if (request.accessToken === undefined) {
    if (claims.ath !== undefined) return authFailure('dpop_invalid', 'DPoP ath is present without an access token');
  } else if (claims.ath !== accessTokenHash(request.accessToken)) {
    return authFailure('dpop_invalid', 'DPoP ath does not match the access token');
  }

  // 5. Key binding.
  const jkt = jwkThumbprint(jwk);
  if (request.expectedJkt !== undefined && jkt !== request.expectedJkt) return authFailure('dpop_invalid', 'DPoP key is not the bound key');

  if (request.isNonceValid && (claims.nonce === undefined || !request.isNonceValid(claims.nonce))) {
    return authFailure('use_dpop_nonce', 'a current DPoP nonce is required');
  }

  return {
    ok: true,
    value: {
      jkt,
      jti: claims.jti,
      claims,
      replayKey: dpopReplayKey(jkt, claims.jti),
      replayExpiresAt: new Date(now.getTime() + DPOP_REPLAY_RETENTION_SECONDS * 1000),
    },
  };
}
