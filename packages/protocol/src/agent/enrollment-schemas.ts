// Wire shapes of `POST /api/agent/enroll/request` and `/enroll/poll` (agent-protocol §2.3, §2.4).
// Request bodies strip unknown keys so newer agents can add fields; answers parse on the agent side.

import { z } from 'zod';
import { AGENT_TOKEN_TYPE, ENROLL_NONCE_BYTES } from './agent-auth-constants';
import { ApprovalReferenceSchema, DeviceGuidSchema, SigningKeyIdSchema } from './agent-identity';
import { decodeB64 } from './base64';
import { spkiDerFromB64 } from './device-key';

const isoTime = z.iso.datetime();
const b64OfLength = (bytes: number, what: string) => z.string().max(128).refine((v) => decodeB64(v)?.byteLength === bytes, `must be b64 of exactly ${bytes} bytes (${what})`);

/** b64 SPKI DER of an Ed25519 public key (44 bytes): `agent_pubkey`, `signing_key`. */
export const Ed25519SpkiB64Schema = z.string().max(128).refine((v) => spkiDerFromB64(v) !== undefined, 'must be b64 of an Ed25519 SPKI (44 bytes)');
export const EnrollNonceSchema = b64OfLength(ENROLL_NONCE_BYTES, 'nonce');
export const Ed25519SignatureB64Schema = b64OfLength(64, 'Ed25519 signature');

export const AgentPlatformSchema = z.enum(['linux', 'windows']);
export type AgentPlatform = z.infer<typeof AgentPlatformSchema>;
export const AgentArchSchema = z.enum(['x64', 'arm64']);
export type AgentArch = z.infer<typeof AgentArchSchema>;

/** 32 hex digits once dashes and spaces are removed (§2.1); the engine treats any other text as an unknown code. */
export function normalizeEnrollmentCode(input: string): string | undefined {
  const code = input.replace(/[-\s]/g, '').toUpperCase();
  return /^[0-9A-F]{32}$/.test(code) ? code : undefined;
}

export const EnrollRequestSchema = z.object({
  hostname: z.string().min(1).max(253),
  fqdn: z.string().min(1).max(253).optional(),
  // Free text here: a malformed code is still a wrong code to record (§2.3 check 5), not a 422.
  enrollment_code: z.string().min(1).max(128),
  agent_pubkey: Ed25519SpkiB64Schema,
  client_nonce: EnrollNonceSchema,
  agent_version: z.string().min(1).max(64),
  platform: AgentPlatformSchema,
  arch: AgentArchSchema,
  machine_id_sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be a hex SHA-256').optional(),
  onboarding_context: z.object({ job_id: z.string().max(128), run_id: z.string().max(128), target: z.string().max(255) }).optional(),
});
export type EnrollRequest = z.infer<typeof EnrollRequestSchema>;

export const EnrollRequestResponseSchema = z.object({
  status: z.enum(['pending', 'approved']),
  approval_reference: ApprovalReferenceSchema,
  server_nonce: EnrollNonceSchema,
  poll_after_ms: z.number().int().nonnegative(),
  expires_at: isoTime,
  auto_approved: z.boolean(),
  signing_key: Ed25519SpkiB64Schema,
  signing_key_id: SigningKeyIdSchema,
  server_time: isoTime,
});
export type EnrollRequestResponse = z.infer<typeof EnrollRequestResponseSchema>;

export const EnrollPollRequestSchema = z.object({
  approval_reference: ApprovalReferenceSchema,
  client_nonce: EnrollNonceSchema,
  proof_sig: Ed25519SignatureB64Schema,
});
export type EnrollPollRequest = z.infer<typeof EnrollPollRequestSchema>;

export const EnrollPollResponseSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('pending'), poll_after_ms: z.number().int().nonnegative() }),
  z.object({ status: z.literal('denied'), reason: z.string() }),
  z.object({ status: z.literal('expired') }),
  z.object({
    status: z.literal('approved'),
    guid: DeviceGuidSchema,
    agent_id: z.string().min(1),
    site_id: z.number().int().positive(),
    site_name: z.string(),
    access_token: z.string().min(1),
    token_type: z.literal(AGENT_TOKEN_TYPE),
    expires_in: z.number().int().positive(),
    refresh_token: z.string().regex(/^[A-Za-z0-9_-]{64}$/, 'must be 48 bytes of base64url'),
    refresh_expires_in: z.number().int().positive(),
    signing_key: Ed25519SpkiB64Schema,
    signing_key_id: SigningKeyIdSchema,
    trust_anchor_pem: z.string().optional(),
    server_time: isoTime,
  }),
  z.object({ status: z.literal('completed'), guid: DeviceGuidSchema }),
]);
export type EnrollPollResponse = z.infer<typeof EnrollPollResponseSchema>;
