// The shared DPoP replay cache (agent-protocol §3.2 check 6, data-model.md §3 (d) `dpop_replay`):
// a key is remembered once across every node and restart; a second insert of it is a replay.

import { sql } from 'kysely';
import type { DbExecutor } from '../../audit/audit-log';

/** Inserts `key`; false when it was already there (the proof is a replay). */
export async function remember(db: DbExecutor, key: Buffer, expiresAt: Date): Promise<boolean> {
  const inserted = await db
    .insertInto('dpop_replay')
    .values({ key, expires_at: expiresAt })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

export interface ReplayKey {
  readonly key: Buffer;
  readonly expiresAt: Date;
}

/**
 * `remember` for many keys in one statement (the request verifier batches concurrent proofs so a
 * reconnecting fleet does not spend one INSERT per request): one answer per item, in order. A key
 * repeated inside the batch is fresh only at its first place.
 */
export async function rememberMany(db: DbExecutor, items: readonly ReplayKey[]): Promise<boolean[]> {
  if (!items.length) return [];
  const hex = items.map((i) => i.key.toString('hex'));
  const firsts = new Map<string, number>();
  hex.forEach((h, i) => {
    if (!firsts.has(h)) firsts.set(h, i);
  });
  const unique = [...firsts.values()];
  // Text arrays: a bytea[] parameter does not travel the same way through pg and PGlite.
  const { rows } = await sql<{ k: string }>`
    INSERT INTO dpop_replay (key, expires_at)
    SELECT decode(v.k, 'hex'), v.e::timestamptz FROM unnest(${unique.map((i) => hex[i]!)}::text[], ${unique.map((i) => items[i]!.expiresAt.toISOString())}::text[]) AS v(k, e)
    ON CONFLICT (key) DO NOTHING
    RETURNING encode(key, 'hex') AS k`.execute(db);
  const inserted = new Set(rows.map((r) => r.k));
  return hex.map((h, i) => firsts.get(h) === i && inserted.has(h));
}

/** Deletes the rows whose retention has passed; returns how many went. */
export async function purgeExpired(db: DbExecutor, now: Date): Promise<number> {
  const result = await db.deleteFrom('dpop_replay').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
