// Idempotency-Key for dispatch routes (api.md "Concurrency and idempotency", data-model.md §6): per
// user and route, 24 h, keyed by the body's SHA-256. The key row is inserted in the job's own
// transaction, so a concurrent request waits for that commit and then replays; a rollback frees it.

import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { canonicalJson } from '@borealis/protocol/agent';
import { AppError } from '../../errors';
import type { DbExecutor } from '../audit/audit-log';

export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

export interface IdempotencyScope {
  readonly userId: string;
  readonly route: string;
  readonly key: string;
  readonly requestHash: Buffer;
}

export interface Replay {
  readonly statusCode: number;
  readonly response: unknown;
}

export function requestHashOf(body: unknown): Buffer {
  return createHash('sha256').update(canonicalJson(body ?? null)).digest();
}

export function checkKey(key: string): string {
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw new AppError('validation_failed', 'Idempotency-Key must be 1-255 visible ASCII characters', [{ path: 'Idempotency-Key', message: 'invalid' }]);
  return key;
}

/** A stored answer for this key: the same body replays, another body is 409. */
async function existing(db: DbExecutor, scope: IdempotencyScope, now: Date): Promise<Replay | undefined> {
  const row = await db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status_code', 'response', 'expires_at'])
    .where('user_id', '=', scope.userId)
    .where('route', '=', scope.route)
    .where('key', '=', scope.key)
    .executeTakeFirst();
  if (!row || row.expires_at <= now) return undefined;
  if (!row.request_hash.equals(scope.requestHash)) throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used with another request body');
  if (row.response === null || row.status_code === null) throw new AppError('conflict', 'A request with this Idempotency-Key is still in progress');
  return { statusCode: row.status_code, response: row.response };
}

export const idempotency = {
  /** Before any work: a fast replay without a transaction. */
  lookup: existing,

  /**
   * Inside the dispatch transaction: claims the key, or returns the replay when another request
   * committed it first (its INSERT waited for that commit on PostgreSQL).
   */
  async claim(trx: DbExecutor, scope: IdempotencyScope, now: Date): Promise<Replay | undefined> {
    await trx.deleteFrom('idempotency_keys').where('user_id', '=', scope.userId).where('route', '=', scope.route).where('key', '=', scope.key).where('expires_at', '<=', now).execute();
    const inserted = await trx
      .insertInto('idempotency_keys')
      .values({ user_id: scope.userId, route: scope.route, key: scope.key, request_hash: scope.requestHash, created_at: now, expires_at: new Date(now.getTime() + IDEMPOTENCY_TTL_MS) })
      .onConflict((oc) => oc.columns(['user_id', 'route', 'key']).doNothing())
      .returning(sql<number>`1`.as('one'))
      .executeTakeFirst();
    if (inserted) return undefined;
    return existing(trx, scope, now);
  },

  async store(trx: DbExecutor, scope: IdempotencyScope, statusCode: number, response: unknown, resourceId: string): Promise<void> {
    await trx
      .updateTable('idempotency_keys')
      .set({ status_code: statusCode, response: JSON.stringify(response), resource_id: resourceId })
      .where('user_id', '=', scope.userId)
      .where('route', '=', scope.route)
      .where('key', '=', scope.key)
      .execute();
  },
};
