// A filter as one SQL predicate for the device list, previews and (later) job targets: site mode
// AND criteria. A saved filter that is archived or no longer valid matches nothing (automation.md §7).

import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { FilterCriteriaSchema } from '@borealis/protocol';
import type { FilterSiteMode } from '../../db/schema';
import { AppError } from '../../errors';
import type { DbExecutor } from '../audit/audit-log';
import { checkCriteria, type CheckedGroup } from './criteria';
import { criteriaPredicate, FALSE, siteModePredicate } from './criteria-sql';

export async function filterPredicate(
  executor: DbExecutor,
  input: { readonly siteMode: FilterSiteMode; readonly siteIds: readonly number[]; readonly groups: readonly CheckedGroup[] },
  now: Date,
): Promise<RawBuilder<SqlBool>> {
  return sql<SqlBool>`(${siteModePredicate(input.siteMode, input.siteIds)} AND ${await criteriaPredicate(executor, input.groups, now)})`;
}

/** The predicate of a stored filter row, or FALSE when it is archived or its criteria no longer check. */
export async function savedFilterPredicate(
  executor: DbExecutor,
  filter: { readonly archived: boolean; readonly site_mode: FilterSiteMode; readonly site_ids: readonly number[]; readonly criteria: unknown },
  now: Date,
): Promise<RawBuilder<SqlBool>> {
  if (filter.archived) return FALSE;
  const parsed = FilterCriteriaSchema.safeParse(filter.criteria);
  if (!parsed.success) return FALSE;
  let groups: CheckedGroup[];
  try {
    groups = checkCriteria(parsed.data);
  } catch (err) {
    if (err instanceof AppError) return FALSE; // stored criteria that fail today's checks match nothing
    throw err;
  }
  return filterPredicate(executor, { siteMode: filter.site_mode, siteIds: filter.site_ids, groups }, now);
}

/** PostgreSQL rejected a pattern that passed our RE2 checks: report it as the caller's 422. */
export function isInvalidRegex(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '2201B';
}
