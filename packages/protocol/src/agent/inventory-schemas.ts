// Inventory upload `POST /api/agent/details` (agent-protocol §4.4): strict per-section schemas, so a
// malformed section is a 422 and nothing is stored; the engine keeps each section whole (replace semantics).

import { z } from 'zod';

const text = (max = 255) => z.string().max(max);
const maybeText = (max = 255) => text(max).nullable();
const count = z.number().int().nonnegative();
const bytes = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const percent = z.number().min(0).max(100);
const isoTime = z.iso.datetime();

export const INVENTORY_SECTIONS = ['summary', 'cpu', 'memory', 'storage', 'network', 'software', 'services', 'processes', 'sessions'] as const;
export const InventorySectionNameSchema = z.enum(INVENTORY_SECTIONS);
export type InventorySectionName = z.infer<typeof InventorySectionNameSchema>;

/** Lower-hex SHA-256 of JCS(normalised section) (§4.4). */
export const InventoryHashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');

export const SummarySectionSchema = z.strictObject({
  hostname: text(253),
  fqdn: maybeText(253),
  domain: maybeText(253),
  operating_system: maybeText(),
  os: z.strictObject({ id: maybeText(64), version_id: maybeText(64), kernel: maybeText(128), arch: maybeText(32) }),
  device_type: z.enum(['Server', 'Workstation', 'Virtual Machine', 'Container']).nullable(),
  virtualization: maybeText(64),
  manufacturer: maybeText(),
  system_model: maybeText(),
  serial_number: maybeText(),
  bios_version: maybeText(),
  timezone: maybeText(64),
  last_reboot: isoTime.nullable(),
  last_user: maybeText(),
  internal_ip: maybeText(64),
  /** Filled by the engine from the edge-seen address; whatever the agent sends is replaced. */
  external_ip: maybeText(64).optional(),
});
export type SummarySection = z.infer<typeof SummarySectionSchema>;

export const CpuSectionSchema = z.strictObject({
  name: maybeText(),
  vendor: maybeText(),
  sockets: count.nullable(),
  physical_cores: count.nullable(),
  logical_cores: count.nullable(),
  base_clock_ghz: z.number().nonnegative().nullable(),
  arch: maybeText(32),
});
export type CpuSection = z.infer<typeof CpuSectionSchema>;

export const MemorySectionSchema = z.strictObject({
  total_bytes: bytes,
  swap_total_bytes: bytes,
  modules: z.array(z.strictObject({
    slot: maybeText(),
    capacity: bytes.nullable(),
    speed: count.nullable(),
    type: maybeText(64),
    serial: maybeText(),
  })).max(256),
});
export type MemorySection = z.infer<typeof MemorySectionSchema>;

export const StorageSectionSchema = z.array(z.strictObject({
  drive: text(4096),
  device: text(4096),
  fs_type: text(64),
  disk_type: z.enum(['ssd', 'hdd', 'virtual', 'network', 'unknown']),
  total: bytes,
  used: bytes,
  free: bytes,
  usage: percent,
})).max(1024);
export type StorageSection = z.infer<typeof StorageSectionSchema>;

export const NetworkSectionSchema = z.array(z.strictObject({
  adapter: text(),
  mac: maybeText(64),
  ips: z.array(text(64)).max(256),
  link_speed: count.nullable(),
  mtu: count.nullable(),
  state: text(32),
  default_route: z.boolean(),
})).max(1024);
export type NetworkSection = z.infer<typeof NetworkSectionSchema>;

export const SoftwareSourceSchema = z.enum(['dpkg', 'rpm', 'snap', 'flatpak']);
export const SoftwareSectionSchema = z.array(z.strictObject({
  name: text(512).min(1),
  version: text(),
  architecture: text(64),
  source: SoftwareSourceSchema,
  installed_at: isoTime.nullable().optional(),
})).max(50_000);
export type SoftwareSection = z.infer<typeof SoftwareSectionSchema>;

export const ServicesSectionSchema = z.array(z.strictObject({
  name: text(512).min(1),
  description: text(1024),
  active_state: text(64),
  sub_state: text(64),
  unit_file_state: text(64),
  status: z.enum(['running', 'stopped', 'failed', 'starting', 'stopping']),
  start_mode: z.enum(['auto', 'manual', 'disabled', 'static']),
})).max(10_000);
export type ServicesSection = z.infer<typeof ServicesSectionSchema>;

export const ProcessesSectionSchema = z.strictObject({
  processes: z.array(z.strictObject({ name: text(512), count: count, cpu_percent: z.number().nonnegative(), memory_bytes: bytes })).max(100),
});
export type ProcessesSection = z.infer<typeof ProcessesSectionSchema>;

export const SessionsSectionSchema = z.strictObject({
  sessions: z.array(z.strictObject({
    user: text(),
    tty: maybeText(64),
    remote_host: maybeText(),
    type: z.enum(['tty', 'x11', 'wayland', 'ssh']),
    state: text(64),
    started_at: isoTime.nullable(),
  })).max(1024),
});
export type SessionsSection = z.infer<typeof SessionsSectionSchema>;

export const InventoryDetailsSchema = z.strictObject({
  summary: SummarySectionSchema.optional(),
  cpu: CpuSectionSchema.optional(),
  memory: MemorySectionSchema.optional(),
  storage: StorageSectionSchema.optional(),
  network: NetworkSectionSchema.optional(),
  software: SoftwareSectionSchema.optional(),
  services: ServicesSectionSchema.optional(),
  processes: ProcessesSectionSchema.optional(),
  sessions: SessionsSectionSchema.optional(),
});
export type InventoryDetails = z.infer<typeof InventoryDetailsSchema>;

/** Section → hash; used in uploads and in the heartbeat's `inventory_hashes`. */
export const InventoryHashesSchema = z.partialRecord(InventorySectionNameSchema, InventoryHashSchema);
export type InventoryHashes = z.infer<typeof InventoryHashesSchema>;

export const InventoryUploadSchema = z.object({
  agent_id: text(512).min(1),
  hostname: text(253).min(1),
  collected_at: isoTime,
  full: z.boolean(),
  details: InventoryDetailsSchema,
  hashes: InventoryHashesSchema,
}).superRefine((body, ctx) => {
  for (const section of Object.keys(body.details)) {
    if (body.hashes[section as InventorySectionName] === undefined) {
      ctx.addIssue({ code: 'custom', path: ['hashes', section], message: 'every sent section needs its hash' });
    }
  }
});
export type InventoryUpload = z.infer<typeof InventoryUploadSchema>;

export const InventoryUploadResponseSchema = z.object({
  ok: z.literal(true),
  stored: z.array(InventorySectionNameSchema),
  inventory_wanted: z.array(InventorySectionNameSchema),
});
export type InventoryUploadResponse = z.infer<typeof InventoryUploadResponseSchema>;
