// Heartbeat body and ack (agent-protocol §4.3): the socket event `agent_heartbeat` and its REST
// fallback `POST /api/agent/heartbeat` carry the same body; the REST response is the ack.

import { z } from 'zod';
import { InventoryHashesSchema, InventorySectionNameSchema } from './inventory-schemas';

const isoTime = z.iso.datetime();
const percent = z.number().min(0).max(100);

/** The body may not exceed 4 KiB (serialised JSON, §4.3). */
export const HEARTBEAT_MAX_BYTES = 4096;
export const HEARTBEAT_INTERVAL_DEFAULT_S = 20;
export const HEARTBEAT_JITTER_DEFAULT_S = 5;
export const HEARTBEAT_INTERVAL_MAX_S = 120;

export const RoleHealthStatusSchema = z.enum(['healthy', 'warning', 'recovering', 'unhealthy', 'unsupported', 'pending', 'not_applicable']);
export type RoleHealthStatus = z.infer<typeof RoleHealthStatusSchema>;

export const RoleHealthSchema = z.object({
  role_id: z.string().regex(/^system:[a-z0-9_]{1,64}$/, 'must be system:<name>'),
  status: RoleHealthStatusSchema,
  detail: z.string().max(512).nullable(),
  checked_at: isoTime,
});
export type RoleHealth = z.infer<typeof RoleHealthSchema>;

export const HeartbeatMetricsSchema = z.object({
  cpu_percent: percent,
  memory_percent: percent,
  swap_percent: percent,
  load_1m: z.number().nonnegative(),
  load_5m: z.number().nonnegative(),
  load_15m: z.number().nonnegative(),
  process_count: z.number().int().nonnegative(),
});
export type HeartbeatMetrics = z.infer<typeof HeartbeatMetricsSchema>;

export const HeartbeatSchema = z.object({
  seq: z.number().int().nonnegative(),
  sent_at: isoTime,
  agent_id: z.string().min(1).max(512),
  hostname: z.string().min(1).max(253),
  service_mode: z.literal('system'),
  agent_version: z.string().min(1).max(64),
  release_channel: z.string().min(1).max(64),
  boot_id: z.uuid(),
  uptime_s: z.number().int().nonnegative(),
  last_reboot: isoTime.nullable(),
  metrics: HeartbeatMetricsSchema,
  disks: z.array(z.object({ drive: z.string().min(1).max(512), usage: z.number().int().min(0).max(100) })).max(32),
  last_user: z.string().max(255).nullable(),
  logged_in_users: z.array(z.string().max(255)).max(64),
  internal_ip: z.union([z.ipv4(), z.ipv6()]).nullable(),
  inventory_hashes: InventoryHashesSchema,
  /** Sent only when changed since the last acked beat. */
  role_health: z.array(RoleHealthSchema).max(32).optional(),
  /** M2. */
  vpn: z.object({
    state: z.enum(['up', 'down', 'starting', 'disabled']),
    tunnel_id: z.string().max(128).nullable(),
    handshake_age_s: z.number().int().nonnegative().nullable(),
  }).optional(),
  /** M2. */
  metadata_fields: z.array(z.object({ field: z.number().int().min(1).max(500), value: z.string().max(1024), modified_at: isoTime })).max(500).optional(),
});
export type Heartbeat = z.infer<typeof HeartbeatSchema>;

export const HeartbeatAckSchema = z.object({
  ok: z.literal(true),
  server_time: isoTime,
  heartbeat_interval_s: z.number().int().min(HEARTBEAT_INTERVAL_DEFAULT_S).max(HEARTBEAT_INTERVAL_MAX_S),
  config_revision: z.string().min(1),
  inventory_wanted: z.array(InventorySectionNameSchema),
  site_id: z.number().int().positive().nullable(),
  site_name: z.string().nullable(),
  metadata_field_acks: z.array(z.object({ field: z.number().int(), ok: z.boolean() })).optional(),
});
export type HeartbeatAck = z.infer<typeof HeartbeatAckSchema>;
