// Agent configuration `GET /api/agent/config` (agent-protocol §4.5) and the job-signing key list
// `GET /api/agent/signing-keys` (automation.md §1.5).

import { z } from 'zod';
import { SigningKeyIdSchema } from './agent-identity';

export const AgentLogLevelSchema = z.enum(['error', 'warn', 'info', 'debug']);
export type AgentLogLevel = z.infer<typeof AgentLogLevelSchema>;

export const AgentConfigSchema = z.object({
  /** Opaque; sent back in `If-None-Match: "<revision>"` and compared with acks' `config_revision`. */
  revision: z.string().min(1),
  heartbeat_interval_s: z.number().int().positive(),
  heartbeat_jitter_s: z.number().int().nonnegative(),
  inventory_check_interval_s: z.number().int().positive(),
  software_interval_s: z.number().int().positive(),
  full_inventory_interval_s: z.number().int().positive(),
  job_output_max_bytes: z.number().int().positive(),
  max_concurrent_jobs: z.number().int().positive(),
  log_level: AgentLogLevelSchema,
  roles: z.object({
    remote_shell: z.object({ enabled: z.boolean(), pty: z.boolean() }),
    vpn: z.object({ mode: z.enum(['persistent', 'on_demand', 'disabled']) }),
    vnc: z.object({ enabled: z.boolean() }),
  }),
  release_channel: z.string().min(1),
  trust: z.object({ next_ca_pem: z.string().optional(), retire_at: z.iso.datetime().optional() }),
  signing_keys: z.array(z.object({ key_id: SigningKeyIdSchema, public_key_spki: z.string().min(1) })),
});
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

export const AgentSigningKeySchema = z.object({
  key_id: SigningKeyIdSchema,
  /** b64 SPKI DER (44 bytes). */
  public_key_spki: z.string().min(1),
  state: z.enum(['active', 'retiring', 'retired']),
  previous_key_id: SigningKeyIdSchema.nullable(),
  /** b64 signature by the previous key over `borealis-key-rotation-v1\n ‖ JCS({key_id, public_key_spki, previous_key_id, created_at})` (M2). */
  rotation_signature: z.string().nullable(),
  created_at: z.iso.datetime(),
  /** Present and true for a key made after an Aegis force reset (automation.md §1.5). */
  reset: z.boolean().optional(),
});
export type AgentSigningKey = z.infer<typeof AgentSigningKeySchema>;

export const AgentSigningKeysResponseSchema = z.object({ keys: z.array(AgentSigningKeySchema) });
export type AgentSigningKeysResponse = z.infer<typeof AgentSigningKeysResponseSchema>;
