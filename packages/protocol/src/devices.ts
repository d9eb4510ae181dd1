// Wire shapes of the device registry (routes.tsv group `devices`, api.md "Collections",
// data-model.md (d)(e)): list items, list query and page, detail with inventory sections,
// containment actions and saved list views.

import { z } from 'zod';

const isoTime = z.string();
const nullableTime = isoTime.nullable();

/** Device GUIDs are uuid v4, upper-case on the wire, parsed case-insensitively (data-model.md §1). */
export const DeviceGuidSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a device GUID')
  .transform((g) => g.toUpperCase());

export const DEVICE_STATUSES = ['active', 'quarantined', 'revoked', 'decommissioned'] as const;
export const DeviceStatusSchema = z.enum(DEVICE_STATUSES);
export type DeviceStatus = z.infer<typeof DeviceStatusSchema>;

/** Online while a registered socket exists (agent-protocol.md §4.3). */
export const PresenceSchema = z.enum(['online', 'offline']);
export type Presence = z.infer<typeof PresenceSchema>;

export const DEVICE_PAGE_DEFAULT = 50;
export const DEVICE_PAGE_MAX = 500;
/** Lists count at most this many rows unless `?count=exact` (data-model.md §4). */
export const DEVICE_COUNT_CAP = 10_001;

/** The summary columns of one device in a list (and the base of the detail). */
export const DeviceListItemSchema = z
  .object({
    guid: z.string(),
    /** Upstream name of `guid`. */
    agent_guid: z.string(),
    agent_id: z.string(),
    /** The display name that `:hostname` routes resolve (unique, case-insensitive). */
    hostname: z.string(),
    /** The hostname as the agent reports it. */
    agent_hostname: z.string(),
    fqdn: z.string().nullable(),
    description: z.string().nullable(),
    connection_type: z.literal('agent'),
    site_id: z.number().int().nullable(),
    site_name: z.string().nullable(),
    status: DeviceStatusSchema,
    presence: PresenceSchema,
    last_seen: nullableTime,
    platform: z.string(),
    arch: z.string(),
    agent_version: z.string().nullable(),
    operating_system: z.string().nullable(),
    os_version: z.string().nullable(),
    device_type: z.string().nullable(),
    domain: z.string().nullable(),
    internal_ip: z.string().nullable(),
    external_ip: z.string().nullable(),
    last_user: z.string().nullable(),
    cpu_percent: z.number().nullable(),
    memory_percent: z.number().nullable(),
    storage_max_usage_percent: z.number().nullable(),
    storage_free_percent: z.number().nullable(),
    total_ram_bytes: z.number().nullable(),
    logical_cores: z.number().int().nullable(),
    cpu_model: z.string().nullable(),
    uptime_seconds: z.number().nullable(),
    last_reboot: nullableTime,
    enrolled_at: isoTime,
  })
  .meta({ id: 'DeviceListItem' });
export type DeviceListItem = z.infer<typeof DeviceListItemSchema>;

/** Whitelisted sorts of GET /api/devices; `-` = descending. */
export const DEVICE_SORTS = [
  'hostname',
  '-hostname',
  'last_seen',
  '-last_seen',
  'site',
  '-site',
  'status',
  '-status',
  'os',
  '-os',
  'enrolled_at',
  '-enrolled_at',
] as const;
export const DeviceSortSchema = z.enum(DEVICE_SORTS);
export type DeviceSort = z.infer<typeof DeviceSortSchema>;

const boolParam = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const intParam = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Query of GET /api/devices. `status` takes one status or a comma-separated list. */
export const DeviceListQuerySchema = z.object({
  limit: intParam(1, DEVICE_PAGE_MAX).default(DEVICE_PAGE_DEFAULT),
  cursor: z.string().min(1).max(1024).optional(),
  sort: DeviceSortSchema.default('hostname'),
  /** Substring of hostname or description (trigram), IP prefix, or logged-in user. */
  q: z.string().trim().min(1).max(256).optional(),
  site_id: z.union([intParam(1, 2_147_483_647), z.literal('none')]).optional(),
  status: z
    .string()
    .max(128)
    .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0))
    .pipe(z.array(DeviceStatusSchema).min(1))
    .optional(),
  online: boolParam.optional(),
  filter_id: intParam(1, 2_147_483_647).optional(),
  /** Show retired (decommissioned) devices too; also implied by `status=decommissioned`. */
  include_retired: boolParam.optional(),
  /** `exact` counts every matching row (`count`); otherwise `count_estimate` stops at 10,001. */
  count: z.enum(['exact', 'estimate']).optional(),
  /** Upstream: exact display name. */
  hostname: z.string().trim().min(1).max(253).optional(),
  /** Upstream flags, accepted and ignored: every device here is an agent. */
  only_agents: z.string().max(8).optional(),
  connection_type: z.string().max(32).optional(),
});
export type DeviceListQuery = z.input<typeof DeviceListQuerySchema>;

export const DeviceListSchema = z
  .object({
    devices: z.array(DeviceListItemSchema),
    next_cursor: z.string().nullable(),
    /** Matching rows, counted up to 10,001 (10,001 means "more than 10,000"). */
    count_estimate: z.number().int(),
    /** Present with `?count=exact`. */
    count: z.number().int().optional(),
  })
  .meta({ id: 'DeviceList' });
export type DeviceList = z.infer<typeof DeviceListSchema>;

export const DeviceSearchQuerySchema = z.object({
  q: z.string().trim().min(3, 'must be at least 3 characters').max(256),
  limit: intParam(1, 100).default(25),
});

export const DeviceSearchResultSchema = z.object({
  devices: z.array(
    z.object({
      agent_guid: z.string(),
      agent_id: z.string(),
      hostname: z.string(),
      connection_type: z.literal('agent'),
      site_id: z.number().int().nullable(),
      site_name: z.string().nullable(),
      site_description: z.string().nullable(),
      status: DeviceStatusSchema,
      presence: PresenceSchema,
    }),
  ),
  query: z.string(),
  count: z.number().int(),
});
export type DeviceSearchResult = z.infer<typeof DeviceSearchResultSchema>;

/** One device (GET /api/devices/:guid): the list columns plus identity and status details. */
export const DeviceSchema = DeviceListItemSchema.extend({
  status_reason: z.string().nullable(),
  status_changed_at: nullableTime,
  status_changed_by: z.string().nullable(),
  ssl_key_fingerprint: z.string(),
  os_id: z.string().nullable(),
  kernel: z.string().nullable(),
  virtualization: z.string().nullable(),
  manufacturer: z.string().nullable(),
  system_model: z.string().nullable(),
  serial_number: z.string().nullable(),
  release_channel: z.string().nullable(),
  swap_percent: z.number().nullable(),
  load_1m: z.number().nullable(),
  process_count: z.number().int().nullable(),
  logged_in_users: z.array(z.string()),
  disks: z.array(z.object({ drive: z.string(), usage: z.number() })),
  role_health: z.array(z.record(z.string(), z.unknown())),
  last_enrollment_at: isoTime,
  /** Up-to-Date unless a newer target build is known (agent updates are M2). */
  agent_version_status: z.enum(['Up-to-Date', 'Needs Updated']),
  target_agent_version: z.string().nullable(),
  version: z.number().int(),
}).meta({ id: 'Device' });
export type Device = z.infer<typeof DeviceSchema>;

// Inventory sections as agents store them (agent-protocol.md §4.4). Loose on purpose: the agent
// upload schemas are strict; here unknown keys pass through so older rows still display.
const str = z.string().nullable().optional();
const num = z.number().nullable().optional();
const loose = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape);

export const InventorySummarySchema = loose({
  hostname: str,
  fqdn: str,
  domain: str,
  operating_system: str,
  os: loose({ id: str, version_id: str, kernel: str, arch: str }).nullable().optional(),
  device_type: str,
  virtualization: str,
  manufacturer: str,
  system_model: str,
  serial_number: str,
  bios_version: str,
  timezone: str,
  last_reboot: str,
  last_user: str,
  internal_ip: str,
  external_ip: str,
});
export const InventoryCpuSchema = loose({ name: str, vendor: str, sockets: num, physical_cores: num, logical_cores: num, base_clock_ghz: num, arch: str });
export const InventoryMemorySchema = loose({
  total_bytes: num,
  swap_total_bytes: num,
  modules: z.array(loose({ slot: str, capacity: num, speed: num, type: str, serial: str })).optional(),
});
export const InventoryStorageSchema = z.array(
  loose({ drive: str, device: str, fs_type: str, disk_type: str, total: num, used: num, free: num, usage: num }),
);
export const InventoryNetworkSchema = z.array(
  loose({ adapter: str, mac: str, ips: z.array(z.string()).optional(), link_speed: num, mtu: num, state: str, default_route: z.boolean().optional() }),
);
export const InventoryServicesSchema = z.array(
  loose({ name: str, description: str, active_state: str, sub_state: str, unit_file_state: str, status: str, start_mode: str }),
);
export const InventoryProcessesSchema = loose({
  processes: z.array(loose({ name: str, count: num, cpu_percent: num, memory_bytes: num })).optional(),
});
export const InventorySessionsSchema = loose({
  sessions: z.array(loose({ user: str, tty: str, remote_host: str, type: str, state: str, started_at: str })).optional(),
});

/** A software row, from device_software_inventory joined to software_titles. */
export const InstalledSoftwareSchema = z.object({
  name: z.string(),
  version: z.string(),
  architecture: z.string(),
  source: z.string(),
  installed_at: nullableTime,
});
export type InstalledSoftware = z.infer<typeof InstalledSoftwareSchema>;

export const INVENTORY_SECTION_NAMES = ['summary', 'cpu', 'memory', 'storage', 'network', 'software', 'services', 'processes', 'sessions'] as const;

export const DeviceInventorySchema = z.object({
  summary: InventorySummarySchema.nullable(),
  cpu: InventoryCpuSchema.nullable(),
  memory: InventoryMemorySchema.nullable(),
  storage: InventoryStorageSchema.nullable(),
  network: InventoryNetworkSchema.nullable(),
  /** From the normalised software tables (sorted by name), not the raw section. */
  software: z.array(InstalledSoftwareSchema).nullable(),
  services: InventoryServicesSchema.nullable(),
  processes: InventoryProcessesSchema.nullable(),
  sessions: InventorySessionsSchema.nullable(),
});
export type DeviceInventory = z.infer<typeof DeviceInventorySchema>;

/** When each stored section was collected by the agent and last written. */
export const InventorySectionMetaSchema = z.record(z.string(), z.object({ collected_at: isoTime, updated_at: isoTime }));

/** GET /api/device/details/:hostname: the device, its inventory sections; `{}` if unknown or out of scope. */
export const DeviceDetailsSchema = z
  .union([
    z.object({
      device: DeviceSchema,
      inventory: DeviceInventorySchema,
      inventory_meta: InventorySectionMetaSchema,
    }),
    z.strictObject({}),
  ])
  .meta({ id: 'DeviceDetails' });
export type DeviceDetails = z.infer<typeof DeviceDetailsSchema>;

export const DeviceDescriptionRequestSchema = z.strictObject({ description: z.string().max(1024, 'must be at most 1024 characters').nullable() });
export type DeviceDescriptionRequest = z.infer<typeof DeviceDescriptionRequestSchema>;

/** GET /api/agents: online collectors keyed by `agent_id` (upstream shape). */
export const AgentEntrySchema = z.object({
  hostname: z.string(),
  agent_hostname: z.string(),
  service_mode: z.literal('system'),
  collector_active: z.boolean(),
  collector_active_ts: nullableTime,
  last_seen: nullableTime,
  status: PresenceSchema,
  agent_id: z.string(),
  agent_guid: z.string(),
  agent_version: z.string().nullable(),
  site_id: z.number().int().nullable(),
  site_name: z.string().nullable(),
});
export const AgentMapSchema = z.record(z.string(), AgentEntrySchema).meta({ id: 'AgentMap' });
export type AgentMap = z.infer<typeof AgentMapSchema>;

export const DeviceGuidParamsSchema = z.object({ guid: DeviceGuidSchema });
export const DeviceHostnameParamsSchema = z.object({ hostname: z.string().min(1).max(253) });

/** Optional body of the containment actions. */
export const DeviceActionRequestSchema = z.strictObject({ reason: z.string().trim().max(512).optional() });
export type DeviceActionRequest = z.infer<typeof DeviceActionRequestSchema>;

/** Quarantine, unquarantine, revoke and retire answer the device's new trust state. */
export const DeviceActionResultSchema = z
  .object({
    status: DeviceStatusSchema,
    guid: z.string(),
    hostname: z.string(),
    token_version: z.number().int(),
    status_changed_at: isoTime,
    /** Refresh-token rows revoked by this action. */
    refresh_tokens_revoked: z.number().int(),
  })
  .meta({ id: 'DeviceActionResult' });
export type DeviceActionResult = z.infer<typeof DeviceActionResultSchema>;

/** POST /api/devices/:guid/purge (upstream shape). */
export const DevicePurgeResultSchema = z
  .object({
    status: z.literal('purged'),
    device_guid: z.string(),
    hostname: z.string(),
    required_token_version: z.number().int(),
    /** Scheduled jobs rewritten (none until scheduled jobs exist). */
    scheduled_jobs: z.object({ updated: z.number().int(), deleted: z.number().int(), targets_removed: z.number().int() }),
    deleted_rows: z.record(z.string(), z.number().int()),
  })
  .meta({ id: 'DevicePurgeResult' });
export type DevicePurgeResult = z.infer<typeof DevicePurgeResultSchema>;

// Saved device-grid views (data-model.md (e) device_list_views).
export const DEFAULT_VIEW_NAME = 'Default View';

export const ListViewNameSchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(128, 'must be at most 128 characters')
  .refine((n) => n.toLowerCase() !== DEFAULT_VIEW_NAME.toLowerCase(), `"${DEFAULT_VIEW_NAME}" is reserved`);

export const DeviceListViewSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    columns: z.array(z.string()),
    filters: z.record(z.string(), z.unknown()),
    /** Null: shared with every operator. */
    owner_user_id: z.string().nullable(),
    version: z.number().int(),
    created_at: isoTime,
    updated_at: isoTime,
  })
  .meta({ id: 'DeviceListView' });
export type DeviceListView = z.infer<typeof DeviceListViewSchema>;

export const DeviceListViewListSchema = z.object({ views: z.array(DeviceListViewSchema) });
export type DeviceListViewList = z.infer<typeof DeviceListViewListSchema>;

const viewColumns = z.array(z.string().min(1).max(64)).max(64);
const viewFilters = z.record(z.string().max(64), z.unknown()).refine((f) => JSON.stringify(f).length <= 16_384, 'must be at most 16 KiB');

export const CreateDeviceListViewRequestSchema = z.strictObject({
  name: ListViewNameSchema,
  columns: viewColumns,
  filters: viewFilters.optional(),
  /** true: only the creator sees it; default shared (upstream). */
  private: z.boolean().optional(),
});
export type CreateDeviceListViewRequest = z.infer<typeof CreateDeviceListViewRequestSchema>;

/** Send the current `version` as `If-Match` (or in the body). */
export const UpdateDeviceListViewRequestSchema = z.strictObject({
  name: ListViewNameSchema.optional(),
  columns: viewColumns.optional(),
  filters: viewFilters.optional(),
  version: z.number().int().positive().optional(),
});
export type UpdateDeviceListViewRequest = z.infer<typeof UpdateDeviceListViewRequestSchema>;

export const ListViewIdParamsSchema = z.object({ view_id: z.coerce.number().int().positive().max(2_147_483_647) });

export const DeletedDeviceListViewSchema = z.object({ id: z.number().int(), deleted: z.literal(true) });
export type DeletedDeviceListView = z.infer<typeof DeletedDeviceListViewSchema>;
