// Compiles checked filter criteria and site modes into one SQL predicate over the device list's
// aliases (`d` devices, `h` device_heartbeat_state, `s` sites), folding strictly left to right.
// Version comparisons (dpkg, rpm order) cannot be written in SQL, so they resolve to GUID sets first.

import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { FilterSiteMode } from '../../db/schema';
import type { DbExecutor } from '../audit/audit-log';
import type { CheckedGroup, NumberField, Rule, TextField, TextMatch } from './criteria';
import { compareVersions } from './version-compare';

type Predicate = RawBuilder<SqlBool>;

export const TRUE: Predicate = sql<SqlBool>`true`;
export const FALSE: Predicate = sql<SqlBool>`false`;

/** The column each text field reads. hostname/description keep the trigram-indexed expressions. */
const TEXT_COLUMNS: Record<TextField, RawBuilder<string | null>> = {
  hostname: sql`d.display_name`,
  description: sql`d.description`,
  site_name: sql`s.name`,
  operating_system: sql`d.operating_system`,
  device_type: sql`d.device_type`,
  last_user: sql`h.last_user`,
  internal_ip: sql`host(h.internal_ip)`,
  external_ip: sql`host(d.external_ip)`,
  domain: sql`d.domain`,
  cpu_model: sql`d.cpu_model`,
  agent_version: sql`coalesce(h.agent_version, d.agent_version)`,
};

/** `\`, `%` and `_` stand for themselves inside a LIKE pattern. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** True when `column` matches; NULL counts as the empty string, so negations include it. */
function textPredicate(column: RawBuilder<string | null>, m: TextMatch): Predicate {
  const negative = m.op === 'does_not_contain';
  let positive: Predicate;
  if (m.regex) {
    const pattern = m.op === 'equals' ? `^(?:${m.value})$` : m.op === 'begins_with' ? `^(?:${m.value})` : m.op === 'ends_with' ? `(?:${m.value})$` : m.value;
    positive = sql<SqlBool>`${column} ~* ${pattern}`;
  } else {
    const v = m.value.toLowerCase();
    if (m.op === 'equals') positive = sql<SqlBool>`lower(${column}) = ${v}`;
    else {
      const pattern = m.op === 'begins_with' ? `${escapeLike(v)}%` : m.op === 'ends_with' ? `%${escapeLike(v)}` : `%${escapeLike(v)}%`;
      positive = sql<SqlBool>`lower(${column}) LIKE ${pattern}`;
    }
  }
  return negative ? sql<SqlBool>`NOT coalesce(${positive}, false)` : positive;
}

const NUMBER_EXPRESSIONS = (now: Date): Record<NumberField, RawBuilder<number>> => ({
  // A device never seen counts from its enrolment.
  last_seen_age_minutes: sql`(extract(epoch FROM (CAST(${now.toISOString()} AS timestamptz) - coalesce(h.last_seen_at, d.enrolled_at))) / 60)`,
  total_ram_gb: sql`(d.total_ram_bytes / 1073741824.0)`,
  storage_free_percent: sql`d.storage_free_percent`,
});

const NUMBER_OPS = { equals: '=', greater_than: '>', greater_than_or_equal: '>=', less_than: '<', less_than_or_equal: '<=' } as const;

/** GUIDs as one array literal: a single bound value however many there are. */
function guidSet(guids: readonly string[]): Predicate {
  if (guids.length === 0) return FALSE;
  return sql<SqlBool>`d.guid = ANY(CAST(${`{${guids.join(',')}}`} AS uuid[]))`;
}

function softwareNamePredicate(m: TextMatch): Predicate {
  // The positive form of the operator: `does_not_contain` means "no such title" (absent).
  return textPredicate(sql`t.name_lower`, { ...m, op: m.op === 'does_not_contain' ? 'contains' : m.op });
}

async function softwarePredicate(executor: DbExecutor, rule: Extract<Rule, { kind: 'software' }>): Promise<Predicate> {
  const name = softwareNamePredicate(rule);
  const source = rule.source ? sql<SqlBool>`si.source = ${rule.source}` : TRUE;
  let positive: Predicate;
  if (rule.versionOp === 'older_than' || rule.versionOp === 'newer_than') {
    const rows = await sql<{ device_guid: string; version: string; source: string }>`
      SELECT si.device_guid, si.version, si.source
        FROM device_software_inventory si JOIN software_titles t ON t.id = si.title_id
       WHERE ${name} AND ${source}`.execute(executor);
    const wanted = rule.versionOp === 'older_than' ? -1 : 1;
    const guids = new Set<string>();
    for (const row of rows.rows) {
      if (Math.sign(compareVersions(row.source, row.version, rule.version!)) === wanted) guids.add(row.device_guid);
    }
    positive = guidSet([...guids]);
  } else {
    const version =
      rule.versionOp === 'matches' && rule.version
        ? rule.version.includes('*')
          ? sql<SqlBool>`si.version LIKE ${escapeLike(rule.version).replaceAll('*', '%')}`
          : sql<SqlBool>`si.version = ${rule.version}`
        : TRUE;
    positive = sql<SqlBool>`EXISTS (SELECT 1 FROM device_software_inventory si JOIN software_titles t ON t.id = si.title_id
      WHERE si.device_guid = d.guid AND ${name} AND ${source} AND ${version})`;
  }
  return rule.op === 'does_not_contain' ? sql<SqlBool>`NOT (${positive})` : positive;
}

async function rulePredicate(executor: DbExecutor, rule: Rule, now: Date): Promise<Predicate> {
  switch (rule.kind) {
    case 'text':
      return textPredicate(TEXT_COLUMNS[rule.field], rule);
    case 'metadata':
      return textPredicate(sql`(SELECT m.value FROM device_metadata_fields m WHERE m.device_guid = d.guid AND m.field_number = ${rule.fieldNumber})`, rule);
    case 'status':
      return rule.online ? sql<SqlBool>`h.presence_node_id IS NOT NULL` : sql<SqlBool>`h.presence_node_id IS NULL`;
    case 'number': {
      const expr = NUMBER_EXPRESSIONS(now)[rule.field];
      if (rule.op === 'equals') return sql<SqlBool>`round(CAST(${expr} AS numeric), 1) = round(CAST(${rule.value} AS numeric), 1)`;
      return sql<SqlBool>`${expr} ${sql.raw(NUMBER_OPS[rule.op])} ${rule.value}`;
    }
    case 'software':
      return softwarePredicate(executor, rule);
  }
}

/** Strictly left to right: `A OR B AND C` is `(A OR B) AND C`; the first join is ignored. */
function fold(items: ReadonlyArray<{ join: 'AND' | 'OR'; predicate: Predicate }>): Predicate {
  if (items.length === 0) return TRUE;
  let acc = items[0]!.predicate;
  for (const item of items.slice(1)) acc = sql<SqlBool>`(${acc} ${sql.raw(item.join)} ${item.predicate})`;
  return acc;
}

/** The predicate of checked criteria; empty criteria (and empty groups) match every device. */
export async function criteriaPredicate(executor: DbExecutor, groups: readonly CheckedGroup[], now: Date): Promise<Predicate> {
  const compiled = [];
  for (const group of groups) {
    const rules = [];
    for (const r of group.rules) rules.push({ join: r.join, predicate: await rulePredicate(executor, r.rule, now) });
    compiled.push({ join: group.join, predicate: fold(rules) });
  }
  return fold(compiled);
}

/**
 * Site modes: `global` every device; `specific_sites` only those sites (unassigned excluded);
 * `global_exclusions` every device but those sites' (unassigned included).
 */
export function siteModePredicate(mode: FilterSiteMode, siteIds: readonly number[]): Predicate {
  if (mode === 'global') return TRUE;
  if (mode === 'specific_sites') return siteIds.length ? sql<SqlBool>`d.site_id IN (${sql.join(siteIds)})` : FALSE;
  return siteIds.length ? sql<SqlBool>`(d.site_id IS NULL OR d.site_id NOT IN (${sql.join(siteIds)}))` : TRUE;
}
