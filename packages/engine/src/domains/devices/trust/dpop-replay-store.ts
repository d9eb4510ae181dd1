// The shared DPoP replay cache (agent-protocol §3.2 check 6, data-model.md §3 (d) `dpop_replay`):
// a key is remembered once across every node and restart; a second insert of it is a replay.

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

/** Deletes the rows whose retention has passed; returns how many went. */
export async function purgeExpired(db: DbExecutor, now: Date): Promise<number> {
  const result = await db.deleteFrom('dpop_replay').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
