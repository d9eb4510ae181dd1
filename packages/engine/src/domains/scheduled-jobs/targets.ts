// Job targets (automation.md §3.1): normalised and checked against the creator's scope when a job is
// saved (422 unknown_targets), and resolved to devices per occurrence within allowed_site_ids.

import type { ScheduledJobTarget, ScheduledJobTargetInput } from '@borealis/protocol';
import { sql } from 'kysely';
import type { DbExecutor } from '../audit/audit-log';
import { AppError } from '../../errors';
import type { FilterDeviceEvaluator } from '../filters/filter-evaluation';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ResolvedDevice {
  readonly guid: string;
  readonly hostname: string;
  readonly site_id: number | null;
  readonly status: string;
  readonly resolved_from: string;
}

/** Devices of a saved filter (filterResolverOf wraps the filters domain evaluator). */
export type FilterResolver = (db: DbExecutor, filterId: number, siteIds: readonly number[] | null) => Promise<ResolvedDevice[]>;

export const noFilterResolver: FilterResolver = async () => [];

/** `allowed_site_ids` [] means unrestricted (the creator was an admin). */
export function scopeOf(allowed: readonly number[]): readonly number[] | null {
  return allowed.length === 0 ? null : allowed;
}

function inScope(siteId: number | null, scope: readonly number[] | null): boolean {
  return scope === null || (siteId !== null && scope.includes(siteId));
}

/** Normalises and validates targets; unknown or out-of-scope → 422 unknown_targets. */
export async function normaliseTargets(db: DbExecutor, input: readonly ScheduledJobTargetInput[], scope: readonly number[] | null): Promise<ScheduledJobTarget[]> {
  const out: ScheduledJobTarget[] = [];
  const unknown: string[] = [];
  for (const t of input) {
    if (typeof t === 'string' || t.kind === 'device') {
      const key = typeof t === 'string' ? t : (t.device_guid ?? t.hostname ?? '');
      const device = await db
        .selectFrom('devices')
        .select(['guid', 'hostname', 'site_id'])
        .where((eb) => (UUID.test(key) ? eb('guid', '=', key.toLowerCase()) : eb(sql`lower(hostname)`, '=', key.toLowerCase())))
        .executeTakeFirst();
      if (!device || !inScope(device.site_id, scope)) unknown.push(key);
      else out.push({ kind: 'device', device_guid: device.guid, hostname: device.hostname });
    } else if (t.kind === 'site') {
      const site = await db.selectFrom('sites').select('id').where('id', '=', t.site_id).executeTakeFirst();
      if (!site || !inScope(site.id, scope)) unknown.push(`site:${t.site_id}`);
      else out.push({ kind: 'site', site_id: t.site_id });
    } else if (t.kind === 'filter') {
      const filter = await db.selectFrom('device_filters').select('id').where('id', '=', t.filter_id).executeTakeFirst();
      if (!filter) unknown.push(`filter:${t.filter_id}`);
      else out.push({ kind: 'filter', filter_id: t.filter_id });
    } else {
      out.push({ kind: 'all_devices' });
    }
  }
  if (unknown.length) {
    throw new AppError(
      'unknown_targets',
      `Unknown or out-of-scope targets: ${unknown.slice(0, 20).join(', ')}`,
      unknown.slice(0, 100).map((value) => ({ path: 'targets', message: value })),
    );
  }
  const seen = new Set<string>();
  return out.filter((t) => {
    const key = JSON.stringify(t.kind === 'device' ? { kind: 'device', device_guid: t.device_guid } : t);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Resolves targets to devices (deduplicated by guid, first selector wins); revoked ones drop out. */
export async function resolveTargets(db: DbExecutor, targets: readonly ScheduledJobTarget[], allowed: readonly number[], resolveFilter: FilterResolver): Promise<ResolvedDevice[]> {
  const scope = scopeOf(allowed);
  const byGuid = new Map<string, ResolvedDevice>();
  const base = () => {
    let q = db.selectFrom('devices').select(['guid', 'hostname', 'site_id', 'status']).where('status', 'in', ['active', 'quarantined']);
    if (scope !== null) q = q.where('site_id', 'in', scope.length ? [...scope] : [-1]);
    return q;
  };
  for (const t of targets) {
    let rows: ResolvedDevice[];
    if (t.kind === 'device') rows = (await base().where('guid', '=', t.device_guid).execute()).map((r) => ({ ...r, resolved_from: 'device' }));
    else if (t.kind === 'site') rows = (await base().where('site_id', '=', t.site_id).execute()).map((r) => ({ ...r, resolved_from: `site:${t.site_id}` }));
    else if (t.kind === 'all_devices') rows = (await base().execute()).map((r) => ({ ...r, resolved_from: 'all_devices' }));
    else rows = (await resolveFilter(db, t.filter_id, scope)).filter((d) => inScope(d.site_id, scope));
    for (const r of rows) if (!byGuid.has(r.guid)) byGuid.set(r.guid, r);
  }
  return [...byGuid.values()];
}

/** The saved-filter evaluator of the filters domain as a FilterResolver (rows tagged `filter:<id>`). */
export function filterResolverOf(evaluate: FilterDeviceEvaluator): FilterResolver {
  return async (db, filterId, siteIds) =>
    ((await evaluate(db, filterId, siteIds)) ?? []).map((d) => ({ guid: d.guid, hostname: d.hostname, site_id: d.site_id, status: d.status, resolved_from: `filter:${filterId}` }));
}

/** Scheduled jobs that target a filter (filters domain `usage`: delete/archive refuse with 409 filter_in_use). */
export async function scheduledJobsUsingFilter(db: DbExecutor, filterId: number): Promise<Array<{ id: number; name: string; enabled: boolean }>> {
  return db
    .selectFrom('scheduled_jobs')
    .select(['id', 'name', 'enabled'])
    .where(sql<boolean>`targets @> CAST(${JSON.stringify([{ kind: 'filter', filter_id: filterId }])} AS jsonb)`)
    .orderBy('id')
    .execute();
}

/**
 * Device purge (routes.tsv): drops the device's explicit targets from every scheduled job, inside
 * the purge transaction; a job left with no target at all is deleted (occurrences cascade).
 */
export async function removeDeviceFromScheduledJobs(trx: DbExecutor, deviceGuid: string, now: Date): Promise<{ updated: number; deleted: number; targets_removed: number }> {
  const guid = deviceGuid.toLowerCase();
  const jobs = await trx
    .selectFrom('scheduled_jobs')
    .select(['id', 'targets'])
    .where(sql<boolean>`targets @> CAST(${JSON.stringify([{ kind: 'device' }])} AS jsonb)`)
    .forUpdate()
    .execute();
  const out = { updated: 0, deleted: 0, targets_removed: 0 };
  for (const job of jobs) {
    const targets = job.targets as ScheduledJobTarget[];
    const kept = targets.filter((t) => !(t.kind === 'device' && t.device_guid.toLowerCase() === guid));
    if (kept.length === targets.length) continue;
    out.targets_removed += targets.length - kept.length;
    if (kept.length === 0) {
      await trx.deleteFrom('scheduled_jobs').where('id', '=', job.id).execute();
      out.deleted += 1;
    } else {
      await trx
        .updateTable('scheduled_jobs')
        .set((eb) => ({ targets: JSON.stringify(kept), version: eb('version', '+', 1), updated_at: now }))
        .where('id', '=', job.id)
        .execute();
      out.updated += 1;
    }
  }
  return out;
}
