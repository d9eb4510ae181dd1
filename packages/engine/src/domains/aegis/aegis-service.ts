// Aegis setup, unlock and status (security.md §3.2–§3.6): the passphrase derives the KEK that
// wraps the data keys; the unwrapped keys live only in this process's keyring.

import { createHash, generateKeyPairSync } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { AppError, ConflictError } from '../../errors';
import type { Actor, AuditLog, DbExecutor } from '../audit/audit-log';
import { AegisDecryptError } from './cipher/aegis-decrypt-error';
import { newDataKey, unwrapDataKey, wrapDataKey } from './cipher/data-key';
import { decryptEnvelope, encryptEnvelope, type EnvelopeAd } from './cipher/envelope';
import { AegisKdfParamsSchema, deriveAegisKeys, kdfSalt, newKdfParams, verificationMatches, verificationToken } from './cipher/kdf';
import type { Keyring } from './cipher/keyring';
import { zeroBuffers } from './cipher/keyring';
import { checkAegisPassphrase } from './cipher/passphrase-policy';
import { sendSignal } from '../../db/signal-bus';
import { AEGIS_LOCK } from './aegis-lock';
import { PROTECTED_COLUMNS } from './protected-columns';


export interface AegisDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly keyring: Keyring;
  readonly audit: AuditLog;
  readonly isCommonPassword: (lower: string) => boolean;
}

export function createAegisService(deps: AegisDeps) {
  const { db, clock, keyring, audit } = deps;

  const encrypt = (ad: EnvelopeAd, plaintext: string) => encryptEnvelope(keyring, ad, plaintext);

  return {
    keyring,
    encrypt,

    /** Decrypts, recording `aegis.decrypt_failed` (high) before failing with 500. */
    async decrypt(ad: EnvelopeAd, value: string, actor: Actor): Promise<string> {
      try {
        return decryptEnvelope(keyring, ad, value);
      } catch (err) {
        if (err instanceof AegisDecryptError) {
          await audit.record(db, actor, {
            action: 'aegis.decrypt_failed',
            outcome: 'failure',
            severity: 'high',
            details: { table: ad.table, column: ad.column, row_id: String(ad.rowId), reason: err.reason },
          });
        }
        throw err;
      }
    },

    async setup(cipher: string, actor: Actor): Promise<void> {
      checkAegisPassphrase(cipher, { isCommonPassword: deps.isCommonPassword });
      const params = newKdfParams();
      const { kek, verifyKey } = await deriveAegisKeys(cipher, kdfSalt(params));
      const dataKey = newDataKey();
      try {
        await db.transaction().execute(async (trx) => {
          await AEGIS_LOCK.execute(trx);
          const existing = await trx.selectFrom('aegis_cipher_state').select('id').where('id', '=', 1).executeTakeFirst();
          if (existing) throw new ConflictError('Aegis is already set up', 'aegis_already_initialized');
          const now = clock.now();
          await trx
            .insertInto('aegis_cipher_state')
            .values({
              id: 1,
              kdf_params: JSON.stringify(params),
              verification_token: verificationToken(verifyKey),
              active_key_id: dataKey.keyId,
              unlock_epoch: 1,
              created_at: now,
              updated_at: now,
            })
            .execute();
          await trx
            .insertInto('aegis_data_keys')
            .values({ key_id: dataKey.keyId, wrapped_key: wrapDataKey(kek, dataKey.keyId, dataKey.key), state: 'active', created_at: now })
            .execute();
          await createSigningKey(trx, dataKey, now);
          await audit.record(trx, actor, { action: 'aegis.setup' });
          await audit.record(trx, actor, { action: 'signing_key.created' });
        });
        keyring.load(new Map([[dataKey.keyId, dataKey.key]]), dataKey.keyId);
      } finally {
        zeroBuffers(kek, verifyKey, dataKey.key);
      }
    },

    /** Checks the passphrase; throws 401 aegis_passphrase_invalid after auditing the failure. */
    async unlock(cipher: string, actor: Actor): Promise<void> {
      const state = await db.selectFrom('aegis_cipher_state').selectAll().where('id', '=', 1).executeTakeFirst();
      if (!state) throw new AppError('invalid_phase', 'Aegis is not set up yet', undefined, { phase: 'aegis_setup_required' });
      const params = AegisKdfParamsSchema.parse(state.kdf_params);
      const { kek, verifyKey } = await deriveAegisKeys(cipher, kdfSalt(params), params);
      const unwrapped = new Map<string, Buffer>();
      try {
        if (!verificationMatches(verifyKey, state.verification_token)) {
          await audit.record(db, actor, { action: 'aegis.unlock_failed', outcome: 'failure', severity: 'warning' });
          throw new AppError('aegis_passphrase_invalid', 'The Aegis passphrase is not correct');
        }
        const keys = await db.selectFrom('aegis_data_keys').select(['key_id', 'wrapped_key']).where('state', '<>', 'retired').execute();
        try {
          for (const k of keys) if (k.wrapped_key) unwrapped.set(k.key_id, unwrapDataKey(kek, k.key_id, k.wrapped_key));
        } catch (err) {
          await audit.record(db, actor, { action: 'aegis.decrypt_failed', outcome: 'failure', severity: 'high', details: { table: 'aegis_data_keys', column: 'wrapped_key' } });
          throw err;
        }
        await db.transaction().execute(async (trx) => {
          await trx
            .updateTable('aegis_cipher_state')
            .set({ unlock_epoch: sql<string>`unlock_epoch + 1`, updated_at: clock.now() })
            .where('id', '=', 1)
            .execute();
          await audit.record(trx, actor, { action: 'aegis.unlock' });
          // A new epoch ends older sessions: other nodes drop their sockets (security.md §2.4).
          await sendSignal(trx, 'aegis_state_changed', 'unlock');
        });
        keyring.load(unwrapped, state.active_key_id);
      } finally {
        zeroBuffers(kek, verifyKey, ...unwrapped.values());
      }
    },

    async status() {
      const state = await db.selectFrom('aegis_cipher_state').selectAll().where('id', '=', 1).executeTakeFirst();
      const counts: Record<string, number> = {};
      for (const c of PROTECTED_COLUMNS) {
        const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(c.table)} WHERE ${sql.ref(c.column)} IS NOT NULL`.execute(db);
        counts[`${c.table}.${c.column}`] = rows[0]?.n ?? 0;
      }
      const rotation = await db
        .selectFrom('aegis_rotations')
        .select(['id', 'state', 'total', 'done', 'started_at', 'finished_at', 'error'])
        .orderBy('started_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      const params = state ? AegisKdfParamsSchema.safeParse(state.kdf_params) : null;
      return {
        configured: Boolean(state),
        locked: !keyring.isUnlocked,
        kdf: state && params?.success ? { name: state.kdf_name, n: params.data.n, r: params.data.r, p: params.data.p } : null,
        active_key_id: state?.active_key_id ?? null,
        protected_counts: counts,
        rotation: rotation
          ? {
              id: rotation.id,
              state: rotation.state,
              total: Number(rotation.total),
              done: Number(rotation.done),
              started_at: rotation.started_at.toISOString(),
              finished_at: rotation.finished_at?.toISOString() ?? null,
              error: rotation.error,
            }
          : null,
      };
    },
  };
}

export type AegisService = ReturnType<typeof createAegisService>;

/** The engine's Ed25519 signing key (security.md §8.2), private half under Aegis. */
async function createSigningKey(trx: DbExecutor, dataKey: { keyId: string; key: Buffer }, now: Date): Promise<void> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const keyId = createHash('sha256').update(spki).digest('hex').slice(0, 16);
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
  await trx
    .insertInto('signing_keys')
    .values({
      key_id: keyId,
      public_key_spki: spki,
      private_key_enc: encryptEnvelope(dataKey, { table: 'signing_keys', column: 'private_key_enc', rowId: keyId }, pkcs8),
      state: 'active',
      created_at: now,
    })
    .execute();
}
