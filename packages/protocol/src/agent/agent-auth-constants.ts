// Fixed values and defaults of agent enrolment and request authentication (agent-protocol §2–§3, §10).

/** `aud` of every device access token (§3.1). */
export const ACCESS_TOKEN_AUDIENCE = 'borealis-agent';
/** JOSE `typ` of device access tokens and DPoP proofs (§3.1, §3.2). */
export const ACCESS_TOKEN_TYP = 'at+jwt';
export const DPOP_PROOF_TYP = 'dpop+jwt';
/** The only JWS algorithm accepted anywhere in the agent protocol. */
export const AGENT_JWS_ALG = 'EdDSA';
/** `ctx` claim and `X-Borealis-Agent-Context` value (§1); `CURRENTUSER` is reserved. */
export const AGENT_CONTEXT = 'SYSTEM';
/** `token_type` in token answers (§2.4, §3.4). */
export const AGENT_TOKEN_TYPE = 'DPoP';

/** Access token lifetime, `BOREALIS_AGENT_ACCESS_TTL` default (§10). */
export const ACCESS_TOKEN_TTL_SECONDS = 900;
/** Refresh token lifetime, `BOREALIS_AGENT_REFRESH_TTL` default: 30 days (§3.4). */
export const REFRESH_TOKEN_TTL_SECONDS = 2_592_000;
/** Clock tolerance on access token `exp` and `nbf` (§3.1). */
export const ACCESS_TOKEN_LEEWAY_SECONDS = 5;

/** `|iat − now|` allowed on a DPoP proof, `BOREALIS_DPOP_SKEW` default (§3.2, §10). */
export const DPOP_IAT_SKEW_SECONDS = 60;
/** How long a `dpop_replay` row is kept (§3.2). */
export const DPOP_REPLAY_RETENTION_SECONDS = 150;
/** Lifetime of a server DPoP nonce (§3.5). */
export const DPOP_NONCE_TTL_SECONDS = 60;
/** Upper bound on the `DPoP` header (§3.2 check 1). */
export const DPOP_HEADER_MAX_BYTES = 2048;
/** Random bytes in a DPoP `jti` (at least 16, §3.2). */
export const DPOP_JTI_BYTES = 16;

/** Raw sizes on the wire (§2.1, §2.3, §2.4). */
export const ED25519_SPKI_BYTES = 44;
export const ENROLL_NONCE_BYTES = 32;

/** `poll_after_ms` values (§2.3, §2.4, §10). */
export const ENROLL_POLL_AFTER_MS = Object.freeze({
  afterRequest: 3000,
  pendingFirst10Min: 5000,
  pendingUntil1Hour: 30_000,
  pendingAfter1Hour: 60_000,
} as const);
