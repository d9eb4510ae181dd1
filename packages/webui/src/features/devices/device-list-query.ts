// The devices list query as it lives in the URL (`?q=web&sort=-last_seen&site_id=3`) and as
// GET /api/devices takes it (api.md "Collections"): search, one sort key, and the picker's filters.

export type Presence = 'online' | 'offline';
export type DeviceStatusFilter = 'active' | 'quarantined' | 'revoked';

export interface DeviceListQuery {
  readonly q: string;
  /** A whitelisted sort key, `-` first for descending; '' is the engine's default order. */
  readonly sort: string;
  readonly site_id: string;
  readonly status: DeviceStatusFilter | '';
  readonly presence: Presence | '';
  readonly filter_id: string;
}

export const QUERY_KEYS = ['q', 'sort', 'site_id', 'status', 'presence', 'filter_id'] as const;

export const PRESENCES: readonly Presence[] = ['online', 'offline'];
export const STATUSES: readonly DeviceStatusFilter[] = ['active', 'quarantined', 'revoked'];

export const EMPTY_QUERY: DeviceListQuery = { q: '', sort: '', site_id: '', status: '', presence: '', filter_id: '' };

const DIGITS = /^\d{1,10}$/;
const SORT_KEY = /^-?[a-z_]{1,40}$/;

export function queryFromParams(params: URLSearchParams): DeviceListQuery {
  const text = (key: string) => params.get(key)?.trim() ?? '';
  const sort = text('sort');
  return {
    q: text('q'),
    sort: SORT_KEY.test(sort) ? sort : '',
    site_id: DIGITS.test(text('site_id')) ? text('site_id') : '',
    status: STATUSES.find((s) => s === text('status')) ?? '',
    presence: PRESENCES.find((p) => p === text('presence')) ?? '',
    filter_id: DIGITS.test(text('filter_id')) ? text('filter_id') : '',
  };
}

/** Only what is set, in a fixed order: equal queries give equal URLs and equal cache keys. */
export function paramsFromQuery(query: DeviceListQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of QUERY_KEYS) if (query[key] !== '') params.set(key, query[key]);
  return params;
}

export function hasNarrowing(query: DeviceListQuery): boolean {
  return query.q !== '' || query.site_id !== '' || query.status !== '' || query.presence !== '' || query.filter_id !== '';
}

/** Clicking a header: a new column sorts ascending, the same column flips direction. */
export function toggleSort(current: string, column: string): string {
  if (current === column) return `-${column}`;
  return column;
}

/** Which way `column` is sorted now, for the header's arrow. */
export function sortDirection(current: string, column: string): 'asc' | 'desc' | null {
  if (current === column) return 'asc';
  if (current === `-${column}`) return 'desc';
  return null;
}
