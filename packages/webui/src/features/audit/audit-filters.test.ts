// URL search params round-trip to filters; unknown enum values and blanks are dropped.
import { describe, expect, it } from 'vitest';
import { filtersFromParams, hasFilters, NO_FILTERS, paramsFromFilters } from './audit-filters';

describe('audit filters in the URL', () => {
  it('reads the set filters and ignores unknown outcome and severity values', () => {
    const filters = filtersFromParams(new URLSearchParams('action=auth.*&outcome=maybe&severity=high&actor=%20ada%20&page=3'));
    expect(filters).toEqual({ ...NO_FILTERS, action: 'auth.*', severity: 'high', actor: 'ada' });
    expect(hasFilters(filters)).toBe(true);
    expect(hasFilters(NO_FILTERS)).toBe(false);
  });

  it('writes only the filters that are set, in a fixed order', () => {
    const params = paramsFromFilters({ ...NO_FILTERS, to: '2026-01-02T00:00:00.000Z', action: 'user.*', outcome: 'failure' });
    expect(params.toString()).toBe('action=user.*&outcome=failure&to=2026-01-02T00%3A00%3A00.000Z');
    expect(filtersFromParams(params)).toEqual({ ...NO_FILTERS, action: 'user.*', outcome: 'failure', to: '2026-01-02T00:00:00.000Z' });
  });
});
