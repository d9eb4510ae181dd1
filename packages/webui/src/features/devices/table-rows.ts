// Client-side search and sort for a device's own inventory tables (software, services, processes):
// a few thousand rows at most, already loaded, so the browser does it.

export type SortValue = string | number | null | undefined;

export interface RowSort {
  readonly key: string;
  readonly direction: 'asc' | 'desc';
}

const COLLATOR = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Rows whose searchable text contains every word of `search` (case-insensitive, any order). */
export function searchRows<T>(rows: readonly T[], search: string, textOf: (row: T) => string): T[] {
  const words = search.toLowerCase().split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) return [...rows];
  return rows.filter((row) => {
    const text = textOf(row).toLowerCase();
    return words.every((word) => text.includes(word));
  });
}

/** Stable sort by one key; missing values go last in either direction, numbers compare as numbers. */
export function sortRows<T>(rows: readonly T[], sort: RowSort, valueOf: (row: T, key: string) => SortValue): T[] {
  const sign = sort.direction === 'asc' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: valueOf(row, sort.key) }))
    .sort((a, b) => {
      const aMissing = a.value === null || a.value === undefined || a.value === '';
      const bMissing = b.value === null || b.value === undefined || b.value === '';
      if (aMissing || bMissing) return aMissing === bMissing ? a.index - b.index : aMissing ? 1 : -1;
      const order =
        typeof a.value === 'number' && typeof b.value === 'number' ? a.value - b.value : COLLATOR.compare(String(a.value), String(b.value));
      return order === 0 ? a.index - b.index : order * sign;
    })
    .map((entry) => entry.row);
}

/** A header click: a new key sorts ascending, the same key flips. */
export function nextSort(current: RowSort, key: string): RowSort {
  return current.key === key ? { key, direction: current.direction === 'asc' ? 'desc' : 'asc' } : { key, direction: 'asc' };
}
