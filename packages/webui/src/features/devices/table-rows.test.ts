// Behaviour of the inventory table helpers: word search, stable natural sort, missing values last.
import { describe, expect, it } from 'vitest';
import { nextSort, searchRows, sortRows } from './table-rows';

interface Pkg {
  readonly name: string;
  readonly version: string;
  readonly size: number | null;
}

const ROWS: readonly Pkg[] = [
  { name: 'openssl', version: '3.0.11', size: 2048 },
  { name: 'OpenSSH-server', version: '9.2p1', size: null },
  { name: 'nginx', version: '1.22.1', size: 512 },
  { name: 'libssl3', version: '3.0.2', size: 4096 },
];
const textOf = (row: Pkg) => `${row.name} ${row.version}`;
const valueOf = (row: Pkg, key: string) => (key === 'size' ? row.size : key === 'version' ? row.version : row.name);

describe('inventory table rows', () => {
  it('matches every word, case-insensitively, in any order', () => {
    expect(searchRows(ROWS, 'SSL', textOf).map((r) => r.name)).toEqual(['openssl', 'libssl3']);
    expect(searchRows(ROWS, '3.0 lib', textOf).map((r) => r.name)).toEqual(['libssl3']);
    expect(searchRows(ROWS, '  ', textOf)).toHaveLength(4);
  });

  it('sorts text naturally, both ways', () => {
    const byVersion = sortRows(ROWS, { key: 'version', direction: 'asc' }, valueOf).map((r) => r.version);
    expect(byVersion).toEqual(['1.22.1', '3.0.2', '3.0.11', '9.2p1']);
    expect(sortRows(ROWS, { key: 'name', direction: 'desc' }, valueOf).map((r) => r.name)).toEqual(['openssl', 'OpenSSH-server', 'nginx', 'libssl3']);
  });

  it('keeps missing values last whichever the direction', () => {
    expect(sortRows(ROWS, { key: 'size', direction: 'asc' }, valueOf).map((r) => r.size)).toEqual([512, 2048, 4096, null]);
    expect(sortRows(ROWS, { key: 'size', direction: 'desc' }, valueOf).map((r) => r.size)).toEqual([4096, 2048, 512, null]);
  });

  it('flips the direction on the same key and starts ascending on a new one', () => {
    expect(nextSort({ key: 'name', direction: 'asc' }, 'name')).toEqual({ key: 'name', direction: 'desc' });
    expect(nextSort({ key: 'name', direction: 'desc' }, 'version')).toEqual({ key: 'version', direction: 'asc' });
  });
});
