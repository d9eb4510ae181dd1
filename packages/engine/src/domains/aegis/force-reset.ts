// Aegis force reset (security.md §3.7): destroys every protected secret when the passphrase is
// lost or the secrets must be assumed burnt. Used by the API (engine unlocked) and by the CLI
// (engine locked or stopped); one transaction, then a fresh setup token.

import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { AppError } from '../../errors';
import type { Actor, AuditLog } from '../audit/audit-log';
import type { SetupTokens } from '../bootstrap/setup-token';
import type { Keyring } from './cipher/keyring';
import { sendSignal } from '../../db/signal-bus';
import { AEGIS_LOCK } from './aegis-lock';
import { PROTECTED_COLUMNS } from './protected-columns';

export const FORCE_RESET_PHRASE = 'FORCE RESET';

const CREDENTIAL_SECRETS = ['password', 'private_key', 'private_key_passphrase', 'become_password'] as const;

export interface ForceResetResult {
  affected_users: number;
  removed_passkeys: number;
  revoked_sessions: number;
  affected_credentials: number;
  disabled_jobs: number;
  retired_signing_keys: number;
  cleared: Record<string, number>;
}

export async function forceReset(
  deps: { db: Kysely<Database>; clock: Clock; audit: AuditLog; setupTokens: SetupTokens; keyring?: Keyring },
  confirm: string,
  actor: Actor,
): Promise<ForceResetResult> {
  if (confirm !== FORCE_RESET_PHRASE) {
    throw new AppError('confirmation_mismatch', `Type ${FORCE_RESET_PHRASE} exactly to confirm`, [{ path: 'confirm', message: `must be exactly ${FORCE_RESET_PHRASE}` }]);
  }
  const result = await deps.db.transaction().execute(async (trx) => {
    await AEGIS_LOCK.execute(trx);
    const now = deps.clock.now();
    // Credentials first: which secret fields they held is what the operator must re-enter.
    const credentials = await trx
      .selectFrom('credentials')
      .select(['id', 'password_enc', 'private_key_enc', 'private_key_passphrase_enc', 'become_password_enc'])
      .execute();
    const affectedCredentials: number[] = [];
    for (const c of credentials) {
      const lost = CREDENTIAL_SECRETS.filter((f) => c[`${f}_enc`] !== null);
      if (!lost.length) continue;
      affectedCredentials.push(c.id);
      await trx.updateTable('credentials').set({ secret_state: 'reset_required', lost_secret_fields: lost, reset_at: now, updated_at: now }).where('id', '=', c.id).execute();
    }
    // Step 4: jobs that would run with a lost secret stay off until an operator re-enables them.
    let disabledJobs = 0;
    for (let i = 0; i < affectedCredentials.length; i += 1_000) {
      const jobs = await trx
        .updateTable('scheduled_jobs')
        .set({ enabled: false, disabled_reason: 'credential_reset_required', version: sql<number>`version + 1`, updated_at: now })
        .where('credential_id', 'in', affectedCredentials.slice(i, i + 1_000))
        .executeTakeFirst();
      disabledJobs += Number(jobs.numUpdatedRows);
    }
    const removedPasskeys = Number((await trx.deleteFrom('user_passkeys').executeTakeFirst()).numDeletedRows);
    await trx.deleteFrom('user_recovery_codes').execute();
    const cleared: Record<string, number> = {};
    for (const c of PROTECTED_COLUMNS) {
      if (c.table === 'user_passkeys') continue;
      const res = await sql`UPDATE ${sql.table(c.table)} SET ${sql.ref(c.column)} = NULL WHERE ${sql.ref(c.column)} IS NOT NULL`.execute(trx);
      cleared[`${c.table}.${c.column}`] = Number(res.numAffectedRows ?? 0);
    }
    cleared['user_passkeys.public_key_enc'] = removedPasskeys;
    const users = await trx
      .updateTable('users')
      .set({ auth_reset_required: true, auth_reset_at: now, totp_enabled_at: null, totp_last_step: null, totp_pending_expires_at: null, updated_at: now })
      .executeTakeFirst();
    const sessions = await trx.updateTable('operator_sessions').set({ revoked_at: now, revoke_reason: 'force_reset' }).where('revoked_at', 'is', null).executeTakeFirst();
    const keys = await trx.updateTable('signing_keys').set({ state: 'retired', retired_at: now }).where('state', '<>', 'retired').executeTakeFirst();
    await trx.updateTable('aegis_rotations').set({ state: 'cancelled', finished_at: now, updated_at: now }).where('state', 'in', ['running', 'failed']).execute();
    await trx.deleteFrom('aegis_data_keys').execute();
    await trx.deleteFrom('aegis_cipher_state').execute();
    const counts: ForceResetResult = {
      affected_users: Number(users.numUpdatedRows),
      removed_passkeys: removedPasskeys,
      revoked_sessions: Number(sessions.numUpdatedRows),
      affected_credentials: affectedCredentials.length,
      disabled_jobs: disabledJobs,
      retired_signing_keys: Number(keys.numUpdatedRows),
      cleared,
    };
    await deps.audit.record(trx, actor, { action: 'aegis.force_reset', severity: 'high', details: { ...counts } });
    await deps.setupTokens.issue(trx);
    // Running nodes (this one included, or all of them when the CLI resets) zero their keys on commit.
    await sendSignal(trx, 'aegis_state_changed', 'force_reset');
    return counts;
  });
  deps.keyring?.zero();
  return result;
}
