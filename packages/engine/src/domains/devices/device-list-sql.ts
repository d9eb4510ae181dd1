// The SQL of the device list (data-model.md §4 "Device list"): the joined row, the whitelisted
// sorts as keysets over index-backed expressions, the opaque cursor, search and the capped count.

import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { DeviceSort } from '@borealis/protocol';
import { ValidationError } from '../../errors';
import { escapeLike } from '../filters/criteria-sql';

type Predicate = RawBuilder<SqlBool>;

/** FROM clause shared by every device read: `d` devices, `h` heartbeat state, `s` site. */
// Enrolment creates the heartbeat row with the device (data-model.md §4), so the join is inner; that
// also lets a last_seen sort walk the heartbeat index and reach devices by primary key.
export const DEVICE_FROM = sql`devices d JOIN device_heartbeat_state h ON h.device_guid = d.guid LEFT JOIN sites s ON s.id = d.site_id`;

/**
 * The same rows for counting. LEFT joins on unique keys are dropped by the planner when no
 * predicate reads them, so an unfiltered count touches only `devices` (an inner join would hash
 * the whole heartbeat table: 48 ms at 50,000). Every device has its heartbeat row, so both agree.
 */
export const DEVICE_COUNT_FROM = sql`devices d LEFT JOIN device_heartbeat_state h ON h.device_guid = d.guid LEFT JOIN sites s ON s.id = d.site_id`;

/** The list columns (DeviceListItem). */
export const LIST_COLUMNS = sql`d.guid, d.display_name, d.hostname, d.fqdn, d.description, d.site_id, s.name AS site_name, d.status,
  d.agent_id, d.platform, d.arch, coalesce(h.agent_version, d.agent_version) AS agent_version, d.operating_system, d.os_version,
  d.device_type, d.domain, host(h.internal_ip) AS internal_ip, host(d.external_ip) AS external_ip, h.last_user, h.cpu_percent,
  h.memory_percent, h.storage_max_usage_percent, d.storage_free_percent, d.total_ram_bytes, d.logical_cores, d.cpu_model,
  h.uptime_seconds, h.last_reboot_at, h.last_seen_at, (h.presence_node_id IS NOT NULL) AS online, d.enrolled_at`;

/** The extra columns of one device (Device). */
export const DETAIL_COLUMNS = sql`${LIST_COLUMNS}, d.status_reason, d.status_changed_at, d.status_changed_by, d.ssl_key_fingerprint,
  d.os_id, d.kernel, d.virtualization, d.manufacturer, d.system_model, d.serial_number, h.release_channel, h.swap_percent,
  h.load_1m, h.process_count, h.logged_in_users, h.disks, h.role_health, d.last_enrollment_at, d.version, d.token_version`;

export interface DeviceListRow {
  guid: string;
  display_name: string;
  hostname: string;
  fqdn: string | null;
  description: string | null;
  site_id: number | null;
  site_name: string | null;
  status: 'active' | 'quarantined' | 'revoked' | 'decommissioned';
  agent_id: string;
  platform: string;
  arch: string;
  agent_version: string | null;
  operating_system: string | null;
  os_version: string | null;
  device_type: string | null;
  domain: string | null;
  internal_ip: string | null;
  external_ip: string | null;
  last_user: string | null;
  cpu_percent: number | null;
  memory_percent: number | null;
  storage_max_usage_percent: number | null;
  storage_free_percent: number | null;
  total_ram_bytes: string | null;
  logical_cores: number | null;
  cpu_model: string | null;
  uptime_seconds: string | null;
  last_reboot_at: Date | null;
  last_seen_at: Date | null;
  online: boolean;
  enrolled_at: Date;
}

export interface DeviceDetailRow extends DeviceListRow {
  status_reason: string | null;
  status_changed_at: Date | null;
  status_changed_by: string | null;
  ssl_key_fingerprint: string;
  os_id: string | null;
  kernel: string | null;
  virtualization: string | null;
  manufacturer: string | null;
  system_model: string | null;
  serial_number: string | null;
  release_channel: string | null;
  swap_percent: number | null;
  load_1m: number | null;
  process_count: number | null;
  logged_in_users: string[] | null;
  disks: unknown;
  role_health: unknown;
  last_enrollment_at: Date;
  version: number;
  token_version: number;
}

type KeyType = 'text' | 'numeric' | 'timestamptz' | 'uuid';
interface SortKey {
  readonly expr: RawBuilder<unknown>;
  readonly type: KeyType;
}

/** Display names are unique (case-insensitive), so a sort ending in the name is total. */
const NAME: SortKey = { expr: sql`lower(d.display_name)`, type: 'text' };
const GUID: SortKey = { expr: sql`d.guid`, type: 'uuid' };

/**
 * Sort keys, the last one unique. hostname walks the unique name index (or the scoped
 * (site_id, name, guid) one); last_seen walks ix_device_heartbeat_state__last_seen_at_device_guid
 * in two segments (seen, never seen); the others are top-N sorts over the filtered rows.
 */
const SORT_KEYS: Record<string, readonly SortKey[]> = {
  hostname: [NAME],
  last_seen: [
    { expr: sql`h.last_seen_at`, type: 'timestamptz' },
    { expr: sql`h.device_guid`, type: 'uuid' },
  ],
  site: [{ expr: sql`lower(coalesce(s.name, ''))`, type: 'text' }, NAME],
  status: [{ expr: sql`d.status`, type: 'text' }, NAME],
  os: [{ expr: sql`lower(coalesce(d.operating_system, ''))`, type: 'text' }, NAME],
  enrolled_at: [{ expr: sql`d.enrolled_at`, type: 'timestamptz' }, GUID],
};

export interface SortPlan {
  readonly sort: DeviceSort;
  readonly keys: readonly SortKey[];
  readonly descending: boolean;
  /** The first key may be NULL (never seen): ascending puts NULLs last, descending first. */
  readonly nullableFirst: boolean;
}

export function sortPlan(sort: DeviceSort): SortPlan {
  const descending = sort.startsWith('-');
  const base = descending ? sort.slice(1) : sort;
  return { sort, keys: SORT_KEYS[base]!, descending, nullableFirst: base === 'last_seen' };
}

/** A cursor value: the exact text of a key, or null for a NULL first key. */
export type CursorValue = string | null;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const VALID: Record<KeyType, (v: string) => boolean> = {
  text: (v) => v.length <= 1024,
  numeric: (v) => /^-?\d{1,20}(\.\d{1,12})?$/.test(v),
  uuid: (v) => UUID.test(v),
  timestamptz: (v) => INSTANT.test(v) && !Number.isNaN(Date.parse(v)),
};

export function encodeDeviceCursor(plan: SortPlan, values: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify([plan.sort, ...values]), 'utf8').toString('base64url');
}

/** The key values a cursor holds, or 422 on a cursor of another sort or a tampered one. */
export function decodeDeviceCursor(plan: SortPlan, cursor: string): CursorValue[] {
  const invalid = () => new ValidationError([{ path: 'cursor', message: 'is not a cursor of this list and sort; start again from the first page' }]);
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid(); // not JSON: tampered or foreign
  }
  if (!Array.isArray(value) || value.length !== plan.keys.length + 1 || value[0] !== plan.sort) throw invalid();
  const values = value.slice(1) as unknown[];
  const ok = values.every((v, i) => (v === null ? i === 0 && plan.nullableFirst : typeof v === 'string' && VALID[plan.keys[i]!.type](v)));
  if (!ok) throw invalid();
  return values as CursorValue[];
}

/** The exact text of each key (c0…), which casts back to the same value. */
export function cursorColumns(plan: SortPlan): RawBuilder<unknown> {
  return sql.join(
    plan.keys.map((k, i) => {
      const text = k.type === 'timestamptz' ? sql`to_char(${k.expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` : sql`CAST(${k.expr} AS text)`;
      return sql`${text} AS ${sql.ref(`c${i}`)}`;
    }),
  );
}

const bound = (k: SortKey, v: string) => sql`CAST(${v} AS ${sql.raw(k.type)})`;

function tupleAfter(plan: SortPlan, keys: readonly SortKey[], values: readonly string[]): Predicate {
  return sql<SqlBool>`(${sql.join(keys.map((k) => k.expr))}) ${sql.raw(plan.descending ? '<' : '>')} (${sql.join(keys.map((k, i) => bound(k, values[i]!)))})`;
}

export function orderBy(plan: SortPlan): RawBuilder<unknown> {
  const dir = sql.raw(plan.descending ? 'DESC' : 'ASC');
  return sql.join(plan.keys.map((k) => sql`${k.expr} ${dir}`));
}

/**
 * The page as segments read in order until it is full. A total key gives one segment; a nullable
 * first key gives up to two (non-NULL keys, then NULL ones, or the reverse descending), each an
 * index range, so no page scans the rows before the cursor.
 */
export function pageSegments(plan: SortPlan, after: readonly CursorValue[] | null): Predicate[][] {
  if (!after) return [[]];
  if (!plan.nullableFirst) return [[tupleAfter(plan, plan.keys, after as string[])]];
  const [first, ...rest] = plan.keys;
  const restValues = after.slice(1) as string[];
  const isNull = sql<SqlBool>`${first!.expr} IS NULL`;
  const notNull = sql<SqlBool>`${first!.expr} IS NOT NULL`;
  const restAfter = tupleAfter(plan, rest, restValues);
  if (!plan.descending) {
    return after[0] === null ? [[isNull, restAfter]] : [[tupleAfter(plan, plan.keys, after as string[])], [isNull]];
  }
  return after[0] === null ? [[isNull, restAfter], [notNull]] : [[tupleAfter(plan, plan.keys, after as string[])]];
}

const IP_LIKE = /^[0-9a-f.:]+$/i;

/**
 * `q`: a substring of the name or description (trigram GIN indexes), a logged-in or last user, or
 * the start of an IP. Users and IPs scan the narrow hot table (data-model.md §4).
 */
export function searchPredicate(q: string, siteIds: readonly number[] | null = null): Predicate {
  const contains = `%${escapeLike(q.toLowerCase())}%`;
  const ipPrefix = `${escapeLike(q.toLowerCase())}%`;
  const isIp = IP_LIKE.test(q);
  // A scoped caller's search starts from their sites' devices (the (site_id, …) index), not the fleet.
  const inScope = siteIds === null ? sql`` : siteIds.length ? sql` AND site_id IN (${sql.join(siteIds)})` : sql` AND false`;
  const hotScope =
    siteIds === null ? sql`` : sql` AND device_guid IN (SELECT guid FROM devices WHERE true${inScope})`;
  // One branch per index: an OR across the two trigram indexes makes the planner scan the table.
  const branches = [
    sql`SELECT guid FROM devices WHERE lower(display_name) LIKE ${contains}${inScope}`,
    sql`SELECT guid FROM devices WHERE lower(description) LIKE ${contains}${inScope}`,
    sql`SELECT device_guid FROM device_heartbeat_state WHERE (lower(last_user) LIKE ${contains}
          OR lower(array_to_string(logged_in_users, ' ')) LIKE ${contains}${isIp ? sql` OR host(internal_ip) LIKE ${ipPrefix}` : sql``})${hotScope}`,
  ];
  if (isIp) branches.push(sql`SELECT guid FROM devices WHERE host(external_ip) LIKE ${ipPrefix}${inScope}`);
  return sql<SqlBool>`d.guid IN (${sql.join(branches, sql` UNION ALL `)})`;
}

/** AND of the predicates (true when none). */
export function allOf(predicates: readonly Predicate[]): Predicate {
  return predicates.length ? sql<SqlBool>`${sql.join(predicates, sql` AND `)}` : sql<SqlBool>`true`;
}
