// The zod schema of /etc/borealis-agent/agent.json (agent-protocol.md §4.1). Unknown keys are
// rejected at every level; cross-field rules (server URL vs pinned CA, key pair) are checked here.

import { createPrivateKey, createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { normalizeEnrollmentCode, ENROLLMENT_CODE_FORMAT } from '../enrol/enrollment-code';
import { checkServerUrl } from './server-url';

export const AGENT_FILE_SCHEMA_VERSION = 1;
export const TRUST_MODES = ['system', 'ca', 'spki'] as const;

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const b64 = z.string().regex(B64, 'must be standard base64 with padding');
const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 time such as 2026-11-25T04:00:00Z' });
const text = z.string().trim().min(1, 'must not be empty');

export const AgentInfoSchema = z.strictObject({
  guid: z.string().regex(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/, 'must be an upper-case UUID'),
  agent_id: text.optional(),
  site_id: z.int().nonnegative().nullable().optional(),
  release_channel: text.optional(),
  installed_version: text.optional(),
});

export const IdentitySchema = z.strictObject({
  private_key_pkcs8_b64: b64,
  public_key_spki_b64: b64,
});

export const TokensSchema = z.strictObject({
  access_token: text.optional(),
  access_expires_at: isoTime.optional(),
  refresh_token: text.optional(),
  refresh_expires_at: isoTime.optional(),
});

export const TrustSchema = z.strictObject({
  mode: z.enum(TRUST_MODES, { error: `must be one of ${TRUST_MODES.join(', ')}` }),
  engine_ca_pem: z.string().includes('-----BEGIN CERTIFICATE-----', { error: 'must hold PEM certificates' }).optional(),
  spki_pins: z.array(b64).optional(),
  signing_keys: z
    .array(z.strictObject({ key_id: text, public_key_spki_b64: b64, pinned_at: isoTime }))
    .optional(),
});

export const VpnSchema = z.strictObject({ private_key_b64: b64, public_key_b64: b64 });

export const AgentFileSchema = z
  .strictObject({
    schema_version: z.literal(AGENT_FILE_SCHEMA_VERSION, { error: `must be ${AGENT_FILE_SCHEMA_VERSION}` }),
    server_url: z.string({ error: 'must be a string such as https://rmm.example.com' }),
    server_ip_fallback: z.string().refine((v) => isIP(v) !== 0, 'must be an IP address').optional(),
    enrollment_code: z
      .string()
      .transform((v, ctx) => normalizeEnrollmentCode(v) ?? (ctx.addIssue({ code: 'custom', message: `must be ${ENROLLMENT_CODE_FORMAT}` }), z.NEVER))
      .optional(),
    agent: AgentInfoSchema.optional(),
    identity: IdentitySchema.optional(),
    tokens: TokensSchema.optional(),
    trust: TrustSchema.optional(),
    vpn: VpnSchema.optional(),
  })
  .superRefine((file, ctx) => {
    const url = checkServerUrl(file.server_url, { hasPinnedCa: hasPinnedCa(file) });
    if (!url.ok) ctx.addIssue({ code: 'custom', path: ['server_url'], message: url.message });
    if (file.trust?.mode === 'ca' && file.trust.engine_ca_pem === undefined) {
      ctx.addIssue({ code: 'custom', path: ['trust', 'engine_ca_pem'], message: 'is required when trust.mode is "ca"' });
    }
    if (file.trust?.mode === 'spki' && !file.trust.spki_pins?.length) {
      ctx.addIssue({ code: 'custom', path: ['trust', 'spki_pins'], message: 'must list at least one pin when trust.mode is "spki"' });
    }
    if (file.identity) {
      const problem = checkKeyPair(file.identity);
      if (problem) ctx.addIssue({ code: 'custom', path: ['identity', problem.key], message: problem.message });
    }
  });

export type AgentFile = z.infer<typeof AgentFileSchema>;
export type AgentIdentity = z.infer<typeof IdentitySchema>;
export type AgentTrust = z.infer<typeof TrustSchema>;

export function hasPinnedCa(file: { readonly trust?: AgentTrust | undefined }): boolean {
  return file.trust !== undefined && file.trust.mode !== 'system' && file.trust.engine_ca_pem !== undefined;
}

/** The Ed25519 private key must parse and its public half must be the stored SPKI. */
function checkKeyPair(identity: AgentIdentity): { key: keyof AgentIdentity; message: string } | undefined {
  let derived: string;
  try {
    const key = createPrivateKey({ key: Buffer.from(identity.private_key_pkcs8_b64, 'base64'), format: 'der', type: 'pkcs8' });
    if (key.asymmetricKeyType !== 'ed25519') return { key: 'private_key_pkcs8_b64', message: 'must be an Ed25519 key' };
    derived = createPublicKey(key).export({ format: 'der', type: 'spki' }).toString('base64');
  } catch (err) {
    return { key: 'private_key_pkcs8_b64', message: `is not a PKCS#8 DER private key (${(err as Error).message})` };
  }
  if (derived !== identity.public_key_spki_b64) {
    return { key: 'public_key_spki_b64', message: 'does not match the private key' };
  }
  return undefined;
}
