// Device rows to wire shapes: GUIDs upper-case, times ISO-8601, int8 as numbers, presence from
// the heartbeat row's node (Online while a socket is registered, data-model.md §4).

import type { Device, DeviceListItem } from '@borealis/protocol';
import type { DeviceDetailRow, DeviceListRow } from './device-list-sql';

const iso = (d: Date | null | undefined): string | null => (d ? new Date(d).toISOString() : null);
const num = (v: string | number | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));

export const wireGuid = (guid: string): string => guid.toUpperCase();

export function presentListItem(row: DeviceListRow): DeviceListItem {
  const guid = wireGuid(row.guid);
  return {
    guid,
    agent_guid: guid,
    agent_id: row.agent_id,
    hostname: row.display_name,
    agent_hostname: row.hostname,
    fqdn: row.fqdn,
    description: row.description,
    connection_type: 'agent',
    site_id: row.site_id,
    site_name: row.site_name,
    status: row.status,
    presence: row.online ? 'online' : 'offline',
    last_seen: iso(row.last_seen_at),
    platform: row.platform,
    arch: row.arch,
    agent_version: row.agent_version,
    operating_system: row.operating_system,
    os_version: row.os_version,
    device_type: row.device_type,
    domain: row.domain,
    internal_ip: row.internal_ip,
    external_ip: row.external_ip,
    last_user: row.last_user,
    cpu_percent: row.cpu_percent,
    memory_percent: row.memory_percent,
    storage_max_usage_percent: row.storage_max_usage_percent,
    storage_free_percent: row.storage_free_percent,
    total_ram_bytes: num(row.total_ram_bytes),
    logical_cores: row.logical_cores,
    cpu_model: row.cpu_model,
    uptime_seconds: num(row.uptime_seconds),
    last_reboot: iso(row.last_reboot_at),
    enrolled_at: iso(row.enrolled_at)!,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function disksOf(value: unknown): Device['disks'] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((d) => ({ drive: String(d.drive ?? ''), usage: Number(d.usage ?? 0) }));
}

export function presentDevice(row: DeviceDetailRow): Device {
  return {
    ...presentListItem(row),
    status_reason: row.status_reason,
    status_changed_at: iso(row.status_changed_at),
    status_changed_by: row.status_changed_by,
    ssl_key_fingerprint: row.ssl_key_fingerprint,
    os_id: row.os_id,
    kernel: row.kernel,
    virtualization: row.virtualization,
    manufacturer: row.manufacturer,
    system_model: row.system_model,
    serial_number: row.serial_number,
    release_channel: row.release_channel,
    swap_percent: row.swap_percent,
    load_1m: row.load_1m,
    process_count: row.process_count,
    logged_in_users: row.logged_in_users ?? [],
    disks: disksOf(row.disks),
    role_health: Array.isArray(row.role_health) ? row.role_health.filter(isRecord) : [],
    last_enrollment_at: iso(row.last_enrollment_at)!,
    // Agent updates (and so a target build) arrive in M2.
    agent_version_status: 'Up-to-Date',
    target_agent_version: null,
    version: row.version,
  };
}
