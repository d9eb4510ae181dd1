// Passphrase change and data-key rotation (security.md §3.6). A rotation re-encrypts envelopes
// in batches of 500 per transaction, records its cursor after each batch, and resumes after a
// restart; when no envelope names the old key it is crypto-shredded.

import { sql, type Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { AppError } from '../../errors';
import type { Actor, AuditLog } from '../audit/audit-log';
import { SYSTEM_ACTOR } from '../audit/audit-log';
import { newDataKey, unwrapDataKey, wrapDataKey } from './cipher/data-key';
import { decryptEnvelope, encryptEnvelope } from './cipher/envelope';
import { AegisKdfParamsSchema, deriveAegisKeys, kdfSalt, newKdfParams, verificationMatches, verificationToken } from './cipher/kdf';
import { zeroBuffers, type Keyring } from './cipher/keyring';
import { checkAegisPassphrase } from './cipher/passphrase-policy';
import { AEGIS_LOCK } from './aegis-lock';
import { PROTECTED_COLUMNS } from './protected-columns';

const BATCH = 500;

export interface RotationCursor {
  readonly column: number;
  readonly last: string | null;
}

export function createAegisRotation(deps: {
  db: Kysely<Database>;
  clock: Clock;
  keyring: Keyring;
  audit: AuditLog;
  log: Logger;
  isCommonPassword: (lower: string) => boolean;
  /** Stop a running worker after this many batches (tests simulate a crash mid-rotation). */
  batchLimit?: number;
}) {
  const { db, clock, keyring, audit } = deps;
  let running: Promise<void> | null = null;

  /** Checks the current passphrase; returns the KEK (caller zeroes it). */
  async function checkCurrent(cipher: string, actor: Actor): Promise<Buffer> {
    const state = await db.selectFrom('aegis_cipher_state').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
    const params = AegisKdfParamsSchema.parse(state.kdf_params);
    const { kek, verifyKey } = await deriveAegisKeys(cipher, kdfSalt(params), params);
    const ok = verificationMatches(verifyKey, state.verification_token);
    zeroBuffers(verifyKey);
    if (!ok) {
      zeroBuffers(kek);
      await audit.record(db, actor, { action: 'aegis.unlock_failed', outcome: 'failure', severity: 'warning', details: { during: 'rotate' } });
      throw new AppError('aegis_passphrase_invalid', 'The current Aegis passphrase is not correct');
    }
    return kek;
  }

  async function runBatches(rotationId: string): Promise<void> {
    let batches = 0;
    for (;;) {
      const rotation = await db.selectFrom('aegis_rotations').selectAll().where('id', '=', rotationId).executeTakeFirstOrThrow();
      if (rotation.state !== 'running') return;
      const cursor = (rotation.cursor as RotationCursor | null) ?? { column: 0, last: null };
      const column = PROTECTED_COLUMNS[cursor.column];
      if (!column) {
        await finish(rotationId, rotation.from_key_id);
        return;
      }
      if (deps.batchLimit !== undefined && batches >= deps.batchLimit) return;
      batches += 1;
      const prefix = `aegis:v1:${rotation.from_key_id}:%`;
      const rows = await sql<{ pk: string; value: string }>`
        SELECT ${sql.ref(column.pk)}::text AS pk, ${sql.ref(column.column)} AS value FROM ${sql.table(column.table)}
        WHERE ${sql.ref(column.column)} LIKE ${prefix} ${cursor.last === null ? sql`` : sql`AND ${sql.ref(column.pk)} > ${castPk(column.table, cursor.last)}`}
        ORDER BY ${sql.ref(column.pk)} LIMIT ${BATCH}`.execute(db);
      await db.transaction().execute(async (trx) => {
        for (const row of rows.rows) {
          const ad = { table: column.table, column: column.column, rowId: row.pk };
          const fresh = encryptEnvelope(keyring, ad, decryptEnvelope(keyring, ad, row.value));
          // A row changed meanwhile was already written under the active key: skip it.
          await sql`UPDATE ${sql.table(column.table)} SET ${sql.ref(column.column)} = ${fresh}
                    WHERE ${sql.ref(column.pk)} = ${castPk(column.table, row.pk)} AND ${sql.ref(column.column)} = ${row.value}`.execute(trx);
        }
        const next: RotationCursor = rows.rows.length < BATCH ? { column: cursor.column + 1, last: null } : { column: cursor.column, last: rows.rows.at(-1)!.pk };
        await trx
          .updateTable('aegis_rotations')
          .set({ done: sql<string>`done + ${rows.rows.length}`, cursor: JSON.stringify(next), updated_at: clock.now() })
          .where('id', '=', rotationId)
          .execute();
      });
    }
  }

  async function finish(rotationId: string, fromKeyId: string): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const now = clock.now();
      await trx.updateTable('aegis_data_keys').set({ state: 'retired', wrapped_key: null, retired_at: now }).where('key_id', '=', fromKeyId).execute();
      await trx.updateTable('aegis_rotations').set({ state: 'completed', finished_at: now, updated_at: now }).where('id', '=', rotationId).execute();
      await audit.record(trx, SYSTEM_ACTOR, { action: 'aegis.rotate.completed', details: { rotation_id: rotationId } });
    });
    const remaining = new Map(keyring.keyIds().filter((id) => id !== fromKeyId).map((id) => [id, keyring.key(id)!]));
    keyring.load(remaining, keyring.activeKeyId!);
  }

  function startWorker(rotationId: string): Promise<void> {
    running = runBatches(rotationId)
      .catch(async (err: unknown) => {
        deps.log.error({ err, rotation_id: rotationId }, 'aegis rotation failed');
        await db.updateTable('aegis_rotations').set({ state: 'failed', error: 'a batch failed; see error.log', updated_at: clock.now() }).where('id', '=', rotationId).execute();
        await audit.record(db, SYSTEM_ACTOR, { action: 'aegis.rotate.failed', outcome: 'failure', severity: 'high', details: { rotation_id: rotationId } });
      })
      .finally(() => {
        running = null;
      });
    return running;
  }

  async function countEnvelopes(keyId: string): Promise<number> {
    let total = 0;
    for (const c of PROTECTED_COLUMNS) {
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(c.table)} WHERE ${sql.ref(c.column)} LIKE ${`aegis:v1:${keyId}:%`}`.execute(db);
      total += rows[0]?.n ?? 0;
    }
    return total;
  }

  return {
    /** The worker of the current call, for tests and shutdown. */
    idle: () => running ?? Promise.resolve(),

    async rotate(input: { current_cipher: string; new_cipher?: string; rotate_data_key?: boolean }, actor: Actor) {
      const rotateKey = input.rotate_data_key ?? true;
      if (input.new_cipher !== undefined) checkAegisPassphrase(input.new_cipher, { isCommonPassword: deps.isCommonPassword });
      const kek = await checkCurrent(input.current_cipher, actor);
      try {
        const unfinished = await db.selectFrom('aegis_rotations').select(['id', 'state']).where('state', 'in', ['running', 'failed']).executeTakeFirst();
        if (unfinished && rotateKey && unfinished.state === 'running') throw new AppError('aegis_rotation_in_progress', 'A data-key rotation is already running');
        let newKek: Buffer | null = null;
        if (input.new_cipher !== undefined) {
          const params = newKdfParams();
          const derived = await deriveAegisKeys(input.new_cipher, kdfSalt(params));
          newKek = derived.kek;
          const token = verificationToken(derived.verifyKey);
          zeroBuffers(derived.verifyKey);
          await db.transaction().execute(async (trx) => {
            await AEGIS_LOCK.execute(trx);
            const keys = await trx.selectFrom('aegis_data_keys').select(['key_id', 'wrapped_key']).where('state', '<>', 'retired').execute();
            for (const k of keys) {
              if (!k.wrapped_key) continue;
              const raw = unwrapDataKey(kek, k.key_id, k.wrapped_key);
              await trx.updateTable('aegis_data_keys').set({ wrapped_key: wrapDataKey(newKek!, k.key_id, raw) }).where('key_id', '=', k.key_id).execute();
              zeroBuffers(raw);
            }
            await trx.updateTable('aegis_cipher_state').set({ kdf_params: JSON.stringify(params), verification_token: token, updated_at: clock.now() }).where('id', '=', 1).execute();
            await audit.record(trx, actor, { action: 'aegis.passphrase_changed' });
          });
        }
        if (!rotateKey) return { status: 200 as const, body: { status: 'ok', rotation: null } };
        if (unfinished?.state === 'failed') {
          await db.updateTable('aegis_rotations').set({ state: 'running', error: null, updated_at: clock.now() }).where('id', '=', unfinished.id).execute();
          const resumed = await this.describe(unfinished.id);
          void startWorker(unfinished.id);
          return { status: 202 as const, body: { status: 'started', rotation: resumed } };
        }
        const wrapKek = newKek ?? kek;
        const fresh = newDataKey();
        const fromKeyId = keyring.activeKeyId!;
        const rotationId = uuidv7();
        // Counted before the transaction: on PGlite a query on `db` inside it would wait on itself.
        const total = await countEnvelopes(fromKeyId);
        await db.transaction().execute(async (trx) => {
          await AEGIS_LOCK.execute(trx);
          const now = clock.now();
          await trx.updateTable('aegis_data_keys').set({ state: 'retiring' }).where('key_id', '=', fromKeyId).execute();
          await trx.insertInto('aegis_data_keys').values({ key_id: fresh.keyId, wrapped_key: wrapDataKey(wrapKek, fresh.keyId, fresh.key), state: 'active', created_at: now }).execute();
          await trx.updateTable('aegis_cipher_state').set({ active_key_id: fresh.keyId, updated_at: now }).where('id', '=', 1).execute();
          await trx
            .insertInto('aegis_rotations')
            .values({ id: rotationId, from_key_id: fromKeyId, to_key_id: fresh.keyId, state: 'running', total, done: 0, started_by: actor.id, started_at: now, updated_at: now })
            .execute();
          await audit.record(trx, actor, { action: 'aegis.rotate.started', details: { rotation_id: rotationId, from_key_id: fromKeyId, to_key_id: fresh.keyId } });
        });
        const keys = new Map(keyring.keyIds().map((id) => [id, keyring.key(id)!]));
        keys.set(fresh.keyId, fresh.key);
        keyring.load(keys, fresh.keyId);
        zeroBuffers(fresh.key, newKek);
        const started = await this.describe(rotationId);
        void startWorker(rotationId);
        return { status: 202 as const, body: { status: 'started', rotation: started } };
      } finally {
        zeroBuffers(kek);
      }
    },

    async describe(id: string) {
      const r = await db.selectFrom('aegis_rotations').select(['id', 'state', 'total', 'done']).where('id', '=', id).executeTakeFirstOrThrow();
      return { id: r.id, state: r.state, total: Number(r.total), done: Number(r.done) };
    },

    /** After unlock: continue a rotation that a restart interrupted. */
    async resume(): Promise<void> {
      const row = await db.selectFrom('aegis_rotations').select('id').where('state', '=', 'running').executeTakeFirst();
      if (row && !running) void startWorker(row.id);
    },
  };
}

export type AegisRotation = ReturnType<typeof createAegisRotation>;

/** Primary keys are uuid or text or integer; compare them in their own type. */
function castPk(table: string, value: string) {
  if (table === 'credentials' || table === 'sites') return sql`${Number(value)}::int`;
  if (table === 'signing_keys') return sql`${value}::text`;
  return sql`${value}::uuid`;
}
