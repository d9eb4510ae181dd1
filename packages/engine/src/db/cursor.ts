// Keyset pagination for every list that grows (api.md "Collections"): an opaque base64url cursor
// holding the last row's (sort key, id), and the ORDER BY / WHERE that resume strictly after it,
// so rows written while a client pages are neither repeated nor skipped.

import { sql, type RawBuilder, type SelectQueryBuilder } from 'kysely';

export type KeysetDirection = 'asc' | 'desc';
export type KeysetType = 'timestamptz' | 'text' | 'bigint' | 'uuid';

export interface KeysetColumn {
  /** Column reference, optionally table-qualified; must be NOT NULL. */
  readonly column: string;
  readonly type: KeysetType;
}

/** The sort column and a unique tie-breaker; the index should be on (key, id). */
export interface Keyset {
  readonly key: KeysetColumn;
  readonly id: KeysetColumn;
}

/** Where the previous page ended, as the database's exact text of each value. */
export interface CursorPosition {
  readonly key: string;
  readonly id: string;
}

export interface CursorColumns {
  readonly cursor_key: string;
  readonly cursor_id: string;
}

const MAX_CURSOR_LENGTH = 512;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const INT8_MAX = 2n ** 63n - 1n;

const IS_VALID: Readonly<Record<KeysetType, (v: string) => boolean>> = {
  uuid: (v) => UUID.test(v),
  text: (v) => v.length <= 1024,
  bigint: (v) => /^-?\d{1,19}$/.test(v) && BigInt(v) <= INT8_MAX && BigInt(v) >= -INT8_MAX - 1n,
  // Round-trip the millisecond part so that impossible dates (Feb 30) fail here, not in SQL.
  timestamptz: (v) => INSTANT.test(v) && !Number.isNaN(Date.parse(v)) && new Date(Date.parse(v)).toISOString().slice(0, 23) === v.slice(0, 23),
};

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.key, position.id]), 'utf8').toString('base64url');
}

/** The position a cursor names, or null when it is not one this keyset could have issued. */
export function decodeCursor(keyset: Keyset, cursor: string): CursorPosition | null {
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null; // not JSON: a tampered or foreign cursor, reported to the caller as invalid
  }
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [key, id] = value as unknown[];
  if (typeof key !== 'string' || typeof id !== 'string') return null;
  if (!IS_VALID[keyset.key.type](key) || !IS_VALID[keyset.id.type](id)) return null;
  return { key, id };
}

/** The exact text of a value, which casts back to the same value (microseconds included). */
function asText(c: KeysetColumn): RawBuilder<string> {
  return c.type === 'timestamptz'
    ? sql<string>`to_char(${sql.ref(c.column)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
    : sql<string>`${sql.ref(c.column)}::text`;
}

function bound(c: KeysetColumn, value: string): RawBuilder<unknown> {
  return sql`CAST(${value} AS ${sql.raw(c.type)})`;
}

/**
 * Orders by (key, id) in `direction`, resumes after `after`, and fetches `limit + 1` rows so that
 * `toPage` knows whether another page follows. Adds `cursor_key` and `cursor_id` to each row.
 */
export function keysetPage<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  keyset: Keyset,
  options: { readonly direction: KeysetDirection; readonly after?: CursorPosition | undefined; readonly limit: number },
) {
  const { key, id } = keyset;
  const op = sql.raw(options.direction === 'desc' ? '<' : '>');
  const after = options.after;
  let q = qb
    .select([asText(key).as('cursor_key'), asText(id).as('cursor_id')])
    .orderBy(sql.ref(key.column), options.direction)
    .orderBy(sql.ref(id.column), options.direction)
    .limit(options.limit + 1);
  if (after) q = q.where(sql<boolean>`(${sql.ref(key.column)}, ${sql.ref(id.column)}) ${op} (${bound(key, after.key)}, ${bound(id, after.id)})`);
  return q;
}

/** The first `limit` rows without their cursor columns, and the cursor of the next page or null. */
export function toPage<R extends CursorColumns>(rows: readonly R[], limit: number): { rows: Array<Omit<R, keyof CursorColumns>>; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page.map(({ cursor_key: _key, cursor_id: _id, ...row }) => row),
    nextCursor: rows.length > limit && last ? encodeCursor({ key: last.cursor_key, id: last.cursor_id }) : null,
  };
}
