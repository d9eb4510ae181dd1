// Evaluates a saved filter to the devices it matches inside a caller's site scope, for job targets
// (automation.md §2.1, §3.1, §7): archived or invalid filters match nothing; retired devices never match.

import { sql } from 'kysely';
import type { Clock } from '../../clock';
import type { DbExecutor } from '../audit/audit-log';
import { DEVICE_COUNT_FROM } from '../devices/device-list-sql';
import { scopePredicate } from '../devices/device-repository';
import { createFilterRepository } from './filter-repository';
import { savedFilterPredicate } from './filter-predicate';

export interface FilterDevice {
  readonly guid: string;
  readonly hostname: string;
  readonly site_id: number | null;
  readonly status: string;
}

/** (executor, filterId, siteIds|null=all) → matching devices, or null when no such filter exists. */
export type FilterDeviceEvaluator = (executor: DbExecutor, filterId: number, siteIds: readonly number[] | null) => Promise<FilterDevice[] | null>;

export function createFilterEvaluation(deps: { readonly clock: Clock }): FilterDeviceEvaluator {
  const filters = createFilterRepository();
  return async (executor, filterId, siteIds) => {
    const filter = await filters.findById(executor, filterId);
    if (!filter) return null;
    const predicate = await savedFilterPredicate(executor, filter, deps.clock.now());
    const { rows } = await sql<FilterDevice>`SELECT d.guid, d.hostname, d.site_id, d.status FROM ${DEVICE_COUNT_FROM}
      WHERE ${scopePredicate(siteIds)} AND d.status IN ('active', 'quarantined') AND ${predicate} ORDER BY d.guid`.execute(executor);
    return rows.map((r) => ({ ...r, guid: String(r.guid).toLowerCase() }));
  };
}
