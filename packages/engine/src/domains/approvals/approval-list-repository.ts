// The approval queue and wrong-code lists as operators page through them (api.md "Collections"):
// keyset pages, newest first, cut to the caller's sites in SQL before paging.

import type { ApprovalStatus } from '@borealis/protocol';
import { decodeCursor, keysetPage, toPage, type Keyset } from '../../db/cursor';
import { inSites } from '../../db/site-scope';
import { ValidationError } from '../../errors';
import type { DbExecutor } from '../audit/audit-log';

const APPROVAL_KEYSET: Keyset = { key: { column: 'a.created_at', type: 'timestamptz' }, id: { column: 'a.id', type: 'uuid' } };
const WRONG_CODE_KEYSET: Keyset = { key: { column: 'last_seen_at', type: 'timestamptz' }, id: { column: 'id', type: 'bigint' } };

function position(keyset: Keyset, cursor: string | undefined) {
  if (cursor === undefined) return undefined;
  const after = decodeCursor(keyset, cursor);
  if (!after) throw new ValidationError([{ path: 'cursor', message: 'is not a cursor of this list' }]);
  return after;
}

export interface ApprovalListFilter {
  readonly siteIds: readonly number[] | null;
  readonly status?: ApprovalStatus;
  readonly siteId?: number;
  readonly limit: number;
  readonly cursor?: string;
}

export function createApprovalListRepository() {
  const base = (db: DbExecutor) =>
    db
      .selectFrom('device_approvals as a')
      .leftJoin('sites as s', 's.id', 'a.site_id')
      .leftJoin('devices as d', 'd.guid', 'a.conflict_device_guid')
      .selectAll('a')
      .select(['s.name as site_name', 'd.guid as cd_guid', 'd.display_name as cd_display_name', 'd.hostname as cd_hostname', 'd.status as cd_status', 'd.site_id as cd_site_id']);

  return {
    async page(db: DbExecutor, filter: ApprovalListFilter) {
      let q = base(db).where((eb) => inSites(eb, 'a.site_id', filter.siteIds));
      if (filter.status) q = q.where('a.status', '=', filter.status);
      if (filter.siteId !== undefined) q = q.where('a.site_id', '=', filter.siteId);
      const rows = await keysetPage(q, APPROVAL_KEYSET, { direction: 'desc', after: position(APPROVAL_KEYSET, filter.cursor), limit: filter.limit }).execute();
      return toPage(rows, filter.limit);
    },

    /** One row with its site and conflicting device, for a decision's answer. */
    findById(db: DbExecutor, id: string) {
      return base(db).where('a.id', '=', id).executeTakeFirst();
    },

    async wrongCodes(db: DbExecutor, filter: { limit: number; cursor?: string }) {
      const q = db.selectFrom('enrollment_code_failures').selectAll();
      const rows = await keysetPage(q, WRONG_CODE_KEYSET, { direction: 'desc', after: position(WRONG_CODE_KEYSET, filter.cursor), limit: filter.limit }).execute();
      return toPage(rows, filter.limit);
    },
  };
}

export type ApprovalListRow = NonNullable<Awaited<ReturnType<ReturnType<typeof createApprovalListRepository>['findById']>>>;
