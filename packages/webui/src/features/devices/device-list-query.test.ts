// Behaviour of the devices list query: URL round trip, junk dropped, header clicks flip the sort.
import { describe, expect, it } from 'vitest';
import { apiParamsOf, EMPTY_QUERY, hasNarrowing, paramsFromQuery, queryFromParams, sortDirection, toggleSort } from './device-list-query';

describe('device list query', () => {
  it('round-trips through the URL in a fixed order', () => {
    const query = queryFromParams(new URLSearchParams('presence=online&q=web&sort=-last_seen&site_id=3'));
    expect(query).toEqual({ ...EMPTY_QUERY, q: 'web', sort: '-last_seen', site_id: '3', presence: 'online' });
    expect(paramsFromQuery(query).toString()).toBe('q=web&sort=-last_seen&site_id=3&presence=online');
    expect(hasNarrowing(query)).toBe(true);
  });

  it('asks the engine for presence as online=true|false', () => {
    const query = queryFromParams(new URLSearchParams('presence=offline&status=quarantined&filter_id=7'));
    expect(apiParamsOf(query).toString()).toBe('status=quarantined&online=false&filter_id=7');
  });

  it('drops values the engine would refuse', () => {
    const query = queryFromParams(new URLSearchParams('status=gone&site_id=abc&sort=cpu_percent&filter_id=-2'));
    expect(query).toEqual(EMPTY_QUERY);
    expect(hasNarrowing(query)).toBe(false);
  });

  it('sorts a new column ascending and flips the same one', () => {
    expect(toggleSort('', 'hostname')).toBe('-hostname');
    expect(toggleSort('', 'last_seen')).toBe('last_seen');
    expect(toggleSort('hostname', 'hostname')).toBe('-hostname');
    expect(toggleSort('-hostname', 'hostname')).toBe('hostname');
    expect(toggleSort('-hostname', 'last_seen')).toBe('last_seen');
    expect(sortDirection('-hostname', 'hostname')).toBe('desc');
    expect(sortDirection('hostname', 'last_seen')).toBeNull();
    expect(sortDirection('', 'hostname')).toBe('asc');
  });
});
