// Quick-job targets (automation.md §2.1 step 2): explicit GUIDs and host names must exist and be in
// scope; filter, site and all-device selectors are cut to scope; quarantined devices are Skipped.

import type { QuickRunTargets } from '@borealis/protocol';
import { AppError } from '../../errors';
import type { DbExecutor } from '../audit/audit-log';
import { quickJobRepository as repo, type TargetDevice } from './quick-job-repository';

export const MAX_TARGETS = 50_000;

/** Saved filters are evaluated by the filters domain (filter-evaluation.ts), wired in register.ts. */
export type FilterEvaluator = (filterId: number, siteIds: readonly number[] | null) => Promise<readonly string[]>;

export interface ResolvedTarget {
  readonly device: TargetDevice;
  /** null = Pending; otherwise the target is Skipped with this reason. */
  readonly skipReason: string | null;
}

export interface ResolveTargetsInput {
  readonly targets: QuickRunTargets;
  /** Sites the caller may run jobs on; null = every device (admin). */
  readonly siteIds: readonly number[] | null;
  readonly platforms: readonly string[];
}

const inScope = (siteIds: readonly number[] | null, d: TargetDevice) => siteIds === null || (d.site_id !== null && siteIds.includes(d.site_id));

export async function resolveTargets(db: DbExecutor, input: ResolveTargetsInput, evaluateFilter: FilterEvaluator | undefined): Promise<ResolvedTarget[]> {
  const { targets, siteIds } = input;
  const guids = [...new Set((targets.device_guids ?? []).map((g) => g.toLowerCase()))];
  const hostnames = [...new Set((targets.hostnames ?? []).map((h) => h.toLowerCase()))];
  const hasSelector = targets.filter_id !== undefined || (targets.site_ids?.length ?? 0) > 0 || targets.all_devices === true;
  if (!guids.length && !hostnames.length && !hasSelector) {
    throw new AppError('validation_failed', 'targets: name at least one device, host name, filter, site or all_devices', [{ path: 'targets', message: 'at least one target selector is required' }]);
  }

  const byGuid = new Map<string, TargetDevice>();
  const unknown: string[] = [];
  const explicit = new Set<string>();
  for (const d of await repo.devicesByGuids(db, guids)) byGuid.set(d.guid, d);
  for (const g of guids) {
    const d = byGuid.get(g);
    if (!d || !inScope(siteIds, d)) unknown.push(g.toUpperCase());
    else explicit.add(d.guid);
  }
  const hostRows = await repo.devicesByHostnames(db, hostnames);
  for (const h of hostnames) {
    // Several devices may share a host name; all in-scope ones are targets.
    const matches = hostRows.filter((d) => d.hostname.toLowerCase() === h && inScope(siteIds, d));
    if (!matches.length) unknown.push(h);
    for (const d of matches) {
      byGuid.set(d.guid, d);
      explicit.add(d.guid);
    }
  }
  if (unknown.length) {
    throw new AppError('unknown_targets', `Unknown or out-of-scope targets: ${unknown.slice(0, 20).join(', ')}`, unknown.slice(0, 100).map((v) => ({ path: 'targets', message: v })), { values: unknown });
  }

  const selected = new Map<string, TargetDevice>();
  for (const g of explicit) selected.set(g, byGuid.get(g)!);
  if (targets.all_devices) for (const d of await repo.devicesInSites(db, siteIds)) selected.set(d.guid, d);
  if (targets.site_ids?.length) {
    const sites = siteIds === null ? targets.site_ids : targets.site_ids.filter((s) => siteIds.includes(s));
    for (const d of await repo.devicesInSites(db, sites)) selected.set(d.guid, d);
  }
  if (targets.filter_id !== undefined) {
    if (!evaluateFilter) throw new AppError('validation_failed', 'targets.filter_id: saved filters are not available on this engine yet', [{ path: 'targets.filter_id', message: 'saved filters are not available yet' }]);
    const matched = await evaluateFilter(targets.filter_id, siteIds);
    for (const d of await repo.devicesByGuids(db, matched)) if (inScope(siteIds, d) && (d.status === 'active' || d.status === 'quarantined')) selected.set(d.guid, d);
  }
  if (!selected.size) throw new AppError('no_targets_resolved', 'No device matched the targets');
  if (selected.size > MAX_TARGETS) throw new AppError('too_many_targets', `A quick job may target at most ${MAX_TARGETS} devices (${selected.size} matched)`);

  const resolved = [...selected.values()].map((device): ResolvedTarget => ({ device, skipReason: skipReasonOf(device, input.platforms) }));
  // agent-protocol P12: a job whose every explicit target is quarantined is refused outright.
  if (explicit.size && !hasSelector && resolved.every((t) => t.skipReason === 'device_quarantined')) {
    throw new AppError('device_quarantined', 'Every target device is quarantined');
  }
  return resolved.sort((a, b) => a.device.hostname.localeCompare(b.device.hostname) || a.device.guid.localeCompare(b.device.guid));
}

function skipReasonOf(device: TargetDevice, platforms: readonly string[]): string | null {
  if (device.status === 'quarantined') return 'device_quarantined';
  if (device.status !== 'active') return `device_${device.status}`;
  if (platforms.length && device.platform && !platforms.includes(device.platform)) return 'unsupported_platform';
  return null;
}
