// The devices list query as it lives in the URL (`?q=web&sort=-last_seen&site_id=3`) and as
// GET /api/devices takes it (api.md "Collections"): search, one sort key, and the picker's filters.

import { DEVICE_SORTS, DEVICE_STATUSES, type DeviceSort, type DeviceStatus, type Presence } from '@borealis/protocol';

export interface DeviceListQuery {
  readonly q: string;
  /** A whitelisted sort key, `-` first for descending; '' is the engine's default (by name). */
  readonly sort: DeviceSort | '';
  readonly site_id: string;
  readonly status: DeviceStatus | '';
  readonly presence: Presence | '';
  readonly filter_id: string;
}

export const QUERY_KEYS = ['q', 'sort', 'site_id', 'status', 'presence', 'filter_id'] as const;

export const PRESENCES: readonly Presence[] = ['online', 'offline'];
export const STATUSES: readonly DeviceStatus[] = DEVICE_STATUSES;

export const EMPTY_QUERY: DeviceListQuery = { q: '', sort: '', site_id: '', status: '', presence: '', filter_id: '' };

const DIGITS = /^\d{1,10}$/;

export function queryFromParams(params: URLSearchParams): DeviceListQuery {
  const text = (key: string) => params.get(key)?.trim() ?? '';
  return {
    q: text('q'),
    sort: DEVICE_SORTS.find((s) => s === text('sort')) ?? '',
    site_id: DIGITS.test(text('site_id')) ? text('site_id') : '',
    status: STATUSES.find((s) => s === text('status')) ?? '',
    presence: PRESENCES.find((p) => p === text('presence')) ?? '',
    filter_id: DIGITS.test(text('filter_id')) ? text('filter_id') : '',
  };
}

/** The query string of GET /api/devices for the list query (presence travels as `online`). */
export function apiParamsOf(query: DeviceListQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.q !== '') params.set('q', query.q);
  if (query.sort !== '') params.set('sort', query.sort);
  if (query.site_id !== '') params.set('site_id', query.site_id);
  if (query.status !== '') params.set('status', query.status);
  if (query.presence !== '') params.set('online', query.presence === 'online' ? 'true' : 'false');
  if (query.filter_id !== '') params.set('filter_id', query.filter_id);
  return params;
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

/** The sortable columns of the list (DEVICE_SORTS without the direction). */
export type SortColumn = Exclude<DeviceSort, `-${string}`>;

/** Clicking a header: a new column sorts ascending, the same column flips direction. */
export function toggleSort(current: DeviceSort | '', column: SortColumn): DeviceSort {
  // The engine's default order is by name, ascending.
  const effective = current === '' ? 'hostname' : current;
  return effective === column ? `-${column}` : column;
}

/** Which way `column` is sorted now, for the header's arrow. */
export function sortDirection(current: DeviceSort | '', column: SortColumn): 'asc' | 'desc' | null {
  const effective = current === '' ? 'hostname' : current;
  if (effective === column) return 'asc';
  if (effective === `-${column}`) return 'desc';
  return null;
}
