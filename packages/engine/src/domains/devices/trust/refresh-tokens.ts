// Rotating refresh-token families (agent-protocol §3.4, data-model.md §6): opaque tokens stored
// only as SHA-256, one conditional UPDATE picks the single winner of a rotation, a reused token
// revokes its whole family, and a retry within 30 s of a lost response supersedes the unused child.

import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { REFRESH_TOKEN_TTL_SECONDS } from '@borealis/protocol/agent';
import type { Clock } from '../../../clock';
import type { Database, RefreshRevokeReason } from '../../../db/schema';
import { AppError } from '../../../errors';
import { SYSTEM_ACTOR, type AuditLog, type DbExecutor } from '../../audit/audit-log';

/** Random bytes in a refresh token: 48, i.e. 64 base64url characters (§3.4). */
export const REFRESH_TOKEN_BYTES = 48;
/** A retry this soon after a use is taken for a lost response (§3.4, §10). */
export const REFRESH_GRACE_MS = 30_000;

export interface IssuedRefreshToken {
  /** The opaque token; shown once, never stored. */
  readonly token: string;
  readonly id: string;
  readonly familyId: string;
  readonly expiresAt: Date;
}

export interface RotateInput {
  readonly guid: string;
  readonly token: string;
  /** Thumbprint of the DPoP proof's key; must equal the family's `dpop_jkt`. */
  readonly jkt: string;
}

export interface RefreshTokens {
  /** Starts a new family for the device (enrolment, reauth), inside the caller's transaction. */
  issueFamily(executor: DbExecutor, input: { readonly deviceGuid: string; readonly jkt: string }): Promise<IssuedRefreshToken>;
  /**
   * §3.4 checks 5–10 in their own transaction. Throws `invalid_refresh_token`,
   * `refresh_token_revoked`, `refresh_token_expired`, `refresh_token_reused` (after the family
   * revocation and its audit row are committed) or `device_revoked`.
   */
  rotate(input: RotateInput): Promise<IssuedRefreshToken>;
  /** Revokes every live row of a family; returns how many rows changed. */
  revokeFamily(executor: DbExecutor, familyId: string, reason: RefreshRevokeReason): Promise<number>;
  /** Revokes every family of a device (reauth, re-enrolment, status change, key change). */
  revokeDeviceFamilies(executor: DbExecutor, deviceGuid: string, reason: RefreshRevokeReason): Promise<number>;
}

export interface RefreshTokensDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly ttlSeconds?: number;
}

export function hashRefreshToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

type Outcome = { readonly ok: true; readonly issued: IssuedRefreshToken } | { readonly ok: false; readonly error: AppError };

const fail = (code: ConstructorParameters<typeof AppError>[0], message: string): Outcome => ({ ok: false, error: new AppError(code, message) });

export function createRefreshTokens(deps: RefreshTokensDeps): RefreshTokens {
  const ttlMs = (deps.ttlSeconds ?? REFRESH_TOKEN_TTL_SECONDS) * 1000;

  const insertToken = async (
    executor: DbExecutor,
    row: { readonly deviceGuid: string; readonly familyId: string; readonly parentId: string | null; readonly jkt: string },
  ): Promise<IssuedRefreshToken> => {
    const token = randomBytes(REFRESH_TOKEN_BYTES).toString('base64url');
    const id = uuidv7();
    const now = deps.clock.now();
    const expiresAt = new Date(now.getTime() + ttlMs);
    await executor
      .insertInto('refresh_tokens')
      .values({
        id,
        family_id: row.familyId,
        device_guid: row.deviceGuid,
        token_hash: hashRefreshToken(token),
        parent_id: row.parentId,
        dpop_jkt: row.jkt,
        issued_at: now,
        expires_at: expiresAt,
      })
      .execute();
    return { token, id, familyId: row.familyId, expiresAt };
  };

  const revokeFamily = async (executor: DbExecutor, familyId: string, reason: RefreshRevokeReason): Promise<number> => {
    const result = await executor
      .updateTable('refresh_tokens')
      .set({ revoked_at: deps.clock.now(), revoke_reason: reason })
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  };

  /** §3.4 check 9; thrown inside the transaction so nothing of the rotation is kept. */
  const assertDeviceUsable = async (trx: DbExecutor, deviceGuid: string): Promise<void> => {
    const device = await trx.selectFrom('devices').select('status').where('guid', '=', deviceGuid).executeTakeFirst();
    if (!device || device.status === 'revoked' || device.status === 'decommissioned') throw new AppError('device_revoked', 'device has been revoked');
  };

  const rotateIn = async (trx: DbExecutor, input: RotateInput): Promise<Outcome> => {
    const now = deps.clock.now();
    const row = await trx.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', hashRefreshToken(input.token)).executeTakeFirst();
    // uuid columns read back lower-case; the wire GUID is upper-case.
    if (!row || row.device_guid !== input.guid.toLowerCase() || row.dpop_jkt !== input.jkt) {
      return fail('invalid_refresh_token', 'refresh token is not valid for this device and key');
    }
    if (row.revoked_at) return fail('refresh_token_revoked', 'refresh token family has been revoked');
    if (new Date(row.expires_at) <= now) return fail('refresh_token_expired', 'refresh token has expired');

    const won = await trx
      .updateTable('refresh_tokens')
      .set({ used_at: now })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!won) return retryOrReuse(trx, row.id, now);
    await assertDeviceUsable(trx, row.device_guid);
    return { ok: true, issued: await insertToken(trx, { deviceGuid: row.device_guid, familyId: row.family_id, parentId: row.id, jkt: row.dpop_jkt }) };
  };

  /** The presented token was already used: the 30 s lost-response grace, or reuse. */
  const retryOrReuse = async (trx: DbExecutor, id: string, now: Date): Promise<Outcome> => {
    // Locking the parent serialises concurrent retries, so each sees the child the previous one left.
    const parent = await trx.selectFrom('refresh_tokens').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
    if (parent.revoked_at) return fail('refresh_token_revoked', 'refresh token family has been revoked');
    const child = await trx
      .selectFrom('refresh_tokens')
      .select(['id', 'used_at'])
      .where('parent_id', '=', parent.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    const usedAt = parent.used_at ? new Date(parent.used_at).getTime() : Number.NEGATIVE_INFINITY;
    if (child && child.used_at === null && now.getTime() - usedAt < REFRESH_GRACE_MS) {
      const superseded = await trx
        .updateTable('refresh_tokens')
        .set({ revoked_at: now, revoke_reason: 'superseded' })
        .where('id', '=', child.id)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (superseded) {
        await assertDeviceUsable(trx, parent.device_guid);
        const issued = await insertToken(trx, { deviceGuid: parent.device_guid, familyId: parent.family_id, parentId: parent.id, jkt: parent.dpop_jkt });
        return { ok: true, issued };
      }
    }
    await revokeFamily(trx, parent.family_id, 'reuse_detected');
    await deps.audit.record(trx, SYSTEM_ACTOR, {
      action: 'device.refresh_reuse_detected',
      severity: 'high',
      outcome: 'denied',
      targetType: 'device',
      targetId: parent.device_guid.toUpperCase(),
      details: { family_id: parent.family_id, token_id: parent.id },
    });
    return fail('refresh_token_reused', 'refresh token was already used');
  };

  return {
    issueFamily: (executor, input) => insertToken(executor, { deviceGuid: input.deviceGuid, familyId: uuidv7(), parentId: null, jkt: input.jkt }),
    async rotate(input) {
      const outcome = await deps.db.transaction().execute((trx) => rotateIn(trx, input));
      if (!outcome.ok) throw outcome.error;
      return outcome.issued;
    },
    revokeFamily,
    async revokeDeviceFamilies(executor, deviceGuid, reason) {
      const result = await executor
        .updateTable('refresh_tokens')
        .set({ revoked_at: deps.clock.now(), revoke_reason: reason })
        .where('device_guid', '=', deviceGuid)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
