// Device access tokens (agent-protocol §3.1): EdDSA JWTs typed `at+jwt`, bound to the device key by
// `cnf.jkt`. Issued and verified by the engine; the agent treats them as opaque.

import { randomBytes, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_LEEWAY_SECONDS,
  ACCESS_TOKEN_TTL_SECONDS,
  ACCESS_TOKEN_TYP,
  AGENT_CONTEXT,
  AGENT_JWS_ALG,
} from './agent-auth-constants';
import { DeviceGuidSchema, SigningKeyIdSchema, SslKeyFingerprintSchema } from './agent-identity';
import { authFailure, nowSeconds, type AuthClock, type AuthResult } from './auth-result';
import { encodeB64Url } from './base64';
import { parseCompactJws, signCompactJws, verifyEd25519 } from './compact-jws';
import { JktSchema } from './ed25519-jwk';

const numericDate = z.number().int().nonnegative();

export const AccessTokenHeaderSchema = z
  .object({ alg: z.literal(AGENT_JWS_ALG), typ: z.literal(ACCESS_TOKEN_TYP), kid: SigningKeyIdSchema, crit: z.never().optional() })
  .loose();

export const AccessTokenClaimsSchema = z
  .object({
    iss: z.string().min(1),
    aud: z.literal(ACCESS_TOKEN_AUDIENCE),
    sub: z.string(),
    guid: DeviceGuidSchema,
    ssl_key_fingerprint: SslKeyFingerprintSchema,
    cnf: z.object({ jkt: JktSchema }).loose(),
    token_version: z.number().int().positive(),
    ctx: z.literal(AGENT_CONTEXT),
    iat: numericDate,
    nbf: numericDate,
    exp: numericDate,
    jti: z.string().min(1).max(64),
  })
  .loose()
  .refine((c) => c.sub === `device:${c.guid}`, { message: 'sub must be device:<guid>', path: ['sub'] });
export type AccessTokenClaims = z.infer<typeof AccessTokenClaimsSchema>;

export interface AccessTokenSigner {
  readonly privateKey: KeyObject;
  /** First 16 hex of SHA-256 of the signing key's SPKI (`signingKeyId`). */
  readonly kid: string;
}

export interface AccessTokenInput {
  /** `BOREALIS_PUBLIC_URL` origin. */
  readonly issuer: string;
  readonly guid: string;
  readonly sslKeyFingerprint: string;
  /** Thumbprint of the device key the token is bound to. */
  readonly jkt: string;
  readonly tokenVersion: number;
  readonly clock: AuthClock;
  readonly ttlSeconds?: number;
  /** Defaults to 16 random bytes, base64url. */
  readonly jti?: string;
}

/** Issues a signed access token; `claims` is what was signed (for audit: `jti`, `exp`). */
export function createAccessToken(input: AccessTokenInput, signer: AccessTokenSigner): { readonly token: string; readonly claims: AccessTokenClaims } {
  const iat = nowSeconds(input.clock);
  const claims: AccessTokenClaims = {
    iss: input.issuer,
    aud: ACCESS_TOKEN_AUDIENCE,
    sub: `device:${input.guid}`,
    guid: input.guid,
    ssl_key_fingerprint: input.sslKeyFingerprint,
    cnf: { jkt: input.jkt },
    token_version: input.tokenVersion,
    ctx: AGENT_CONTEXT,
    iat,
    nbf: iat,
    exp: iat + (input.ttlSeconds ?? ACCESS_TOKEN_TTL_SECONDS),
    jti: input.jti ?? encodeB64Url(randomBytes(16)),
  };
  const checked = AccessTokenClaimsSchema.safeParse(claims);
  if (!checked.success) throw new TypeError(`createAccessToken: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const header = { alg: AGENT_JWS_ALG, typ: ACCESS_TOKEN_TYP, kid: signer.kid };
  return { token: signCompactJws(header, claims, signer.privateKey), claims };
}

export interface AccessTokenVerifyOptions {
  /** Expected `iss`: the `BOREALIS_PUBLIC_URL` origin. */
  readonly issuer: string;
  /** Public key for a `kid`: the current signing key and any still in their verify-only hour. */
  readonly resolveKey: (kid: string) => KeyObject | undefined;
  readonly clock: AuthClock;
  readonly leewaySeconds?: number;
}

/**
 * §3.1 verification: EdDSA only, `typ` `at+jwt`, known `kid`, valid signature, claims as issued,
 * `iss`/`aud` match, `exp > now − 5 s` (else `token_expired`) and `nbf ≤ now + 5 s`.
 */
export function verifyAccessToken(token: string, options: AccessTokenVerifyOptions): AuthResult<AccessTokenClaims, 'invalid_token' | 'token_expired'> {
  const jws = parseCompactJws(token);
  if (!jws) return authFailure('invalid_token', 'access token is not a compact JWS');
  const header = AccessTokenHeaderSchema.safeParse(jws.header);
  if (!header.success) return authFailure('invalid_token', 'access token header is not {alg:EdDSA, typ:at+jwt, kid}');
  const key = options.resolveKey(header.data.kid);
  if (!key) return authFailure('invalid_token', 'access token kid is unknown');
  if (!verifyEd25519(key, jws.signingInput, jws.signature)) return authFailure('invalid_token', 'access token signature is invalid');
  const claims = AccessTokenClaimsSchema.safeParse(jws.payload);
  if (!claims.success) return authFailure('invalid_token', 'access token claims are malformed');
  if (claims.data.iss !== options.issuer) return authFailure('invalid_token', 'access token iss does not match');
  const now = nowSeconds(options.clock);
  const leeway = options.leewaySeconds ?? ACCESS_TOKEN_LEEWAY_SECONDS;
  if (claims.data.nbf > now + leeway) return authFailure('invalid_token', 'access token is not valid yet');
  if (claims.data.exp <= now - leeway) return authFailure('token_expired', 'access token has expired');
  return { ok: true, value: claims.data };
}
