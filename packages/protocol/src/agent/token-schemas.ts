// Token refresh and reauth bodies and answers (agent-protocol §3.4, §3.5).

import { z } from 'zod';
import { AGENT_TOKEN_TYPE } from './agent-auth-constants';
import { DeviceGuidSchema } from './agent-identity';

/** 48 random bytes, base64url without padding: 64 characters. */
export const RefreshTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{64}$/, 'must be 48 bytes of base64url');

export const TokenRefreshRequestSchema = z.object({ guid: DeviceGuidSchema, refresh_token: RefreshTokenSchema });
export type TokenRefreshRequest = z.infer<typeof TokenRefreshRequestSchema>;

export const TokenReauthRequestSchema = z.object({ guid: DeviceGuidSchema });
export type TokenReauthRequest = z.infer<typeof TokenReauthRequestSchema>;

/** 200 answer of refresh and reauth. */
export const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.literal(AGENT_TOKEN_TYPE),
  expires_in: z.number().int().positive(),
  refresh_token: RefreshTokenSchema,
  refresh_expires_in: z.number().int().positive(),
});
export type TokenResponse = z.infer<typeof TokenResponseSchema>;

/** Response header carrying the server DPoP nonce (§3.5). */
export const DPOP_NONCE_HEADER = 'DPoP-Nonce';
