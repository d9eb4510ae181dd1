// `connect_agent` registration payload and ack (agent-protocol §5.1, §5.3).

import { z } from 'zod';
import { DeviceGuidSchema, SigningKeyIdSchema } from './agent-identity';
import { AgentArchSchema, AgentPlatformSchema } from './enrollment-schemas';
import { InventorySectionNameSchema } from './inventory-schemas';

export const CONNECT_AGENT_ACK_TIMEOUT_MS = 10_000;
export const AGENT_REGISTER_TIMEOUT_MS = 10_000;

export const AgentCapabilitiesSchema = z.object({
  run_modes: z.array(z.enum(['system', 'current_user'])).max(8),
  interpreters: z.array(z.string().min(1).max(64)).max(32),
  remote_shell: z.object({ vpn: z.boolean(), socket: z.boolean(), pty: z.boolean() }),
  vpn: z.object({ wireguard: z.boolean() }),
  vnc: z.object({ server: z.enum(['x11vnc', 'existing']).nullable(), session_type: z.string().max(32).nullable() }),
  inventory_sections: z.array(InventorySectionNameSchema).max(16),
  max_concurrent_jobs: z.number().int().min(1).max(64),
});
export type AgentCapabilities = z.infer<typeof AgentCapabilitiesSchema>;

export const ConnectAgentSchema = z.object({
  agent_id: z.string().min(1).max(512),
  guid: DeviceGuidSchema,
  hostname: z.string().min(1).max(253),
  service_mode: z.literal('system'),
  agent_version: z.string().min(1).max(64),
  platform: AgentPlatformSchema,
  arch: AgentArchSchema,
  boot_id: z.uuid(),
  /** job_ids the agent is running or holds unacked results for (§4.1 step 7). */
  running_jobs: z.array(z.string().min(1).max(128)).max(64),
  capabilities: AgentCapabilitiesSchema,
});
export type ConnectAgent = z.infer<typeof ConnectAgentSchema>;

export const ConnectAgentAckSchema = z.object({
  ok: z.literal(true),
  server_time: z.iso.datetime(),
  heartbeat_interval_s: z.number().int().positive(),
  config_revision: z.string().min(1),
  /** The active job-signing key, or null while none exists yet (Aegis never set up). */
  signing_key_id: SigningKeyIdSchema.nullable(),
  inventory_wanted: z.array(InventorySectionNameSchema),
});
export type ConnectAgentAck = z.infer<typeof ConnectAgentAckSchema>;
