// Token refresh with rotation and reauth without an operator (agent-protocol §3.4, §3.5): the checks
// in the spec's order, one transaction per success, audit for reauth and auth flapping.

import type { IncomingHttpHeaders } from 'node:http';
import type { Kysely } from 'kysely';
import { AGENT_TOKEN_TYPE, type TokenResponse } from '@borealis/protocol/agent';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { AppError } from '../../errors';
import { SYSTEM_ACTOR, type Actor, type AuditLog, type DbExecutor } from '../audit/audit-log';
import type { DeviceEvents } from '../devices/device-events';
import type { DeviceTrust } from '../devices/trust/device-trust';
import type { IssuedRefreshToken } from '../devices/trust/refresh-tokens';
import { DeviceAuthError, dpopFailure, rateLimited } from './device-auth-error';
import type { DpopNonces } from './dpop-nonce';

/** §10: refreshes per device and minute. */
export const REFRESH_PER_MINUTE = 10;
/** §3.5: one reauth per 10 min; the third within 24 h quarantines the device. */
export const REAUTH_INTERVAL_MS = 10 * 60_000;
export const REAUTH_FLAPPING_WINDOW_MS = 24 * 3600_000;
export const REAUTH_FLAPPING_COUNT = 3;

export interface TokenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly actor: Actor;
}

export interface TokenService {
  refresh(request: TokenRequest, body: { readonly guid: string; readonly refresh_token: string }): Promise<TokenResponse>;
  reauth(request: TokenRequest, body: { readonly guid: string }): Promise<TokenResponse>;
}

export interface TokenServiceDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly trust: DeviceTrust;
  readonly nonces: DpopNonces;
  readonly deviceEvents: DeviceEvents;
  readonly takeBudget: (key: string, limit: number) => void;
}

export function createTokenService(deps: TokenServiceDeps): TokenService {
  const respond = (access: { token: string; expiresIn: number }, refresh: IssuedRefreshToken): TokenResponse => ({
    access_token: access.token,
    token_type: AGENT_TOKEN_TYPE,
    expires_in: access.expiresIn,
    refresh_token: refresh.token,
    refresh_expires_in: Math.max(1, Math.round((refresh.expiresAt.getTime() - deps.clock.now().getTime()) / 1000)),
  });

  /** Thumbprint of the device's current (live) key, if the device exists. */
  const currentKey = async (executor: DbExecutor, rowGuid: string) =>
    executor
      .selectFrom('devices as d')
      .innerJoin('device_keys as k', (j) => j.onRef('k.device_guid', '=', 'd.guid').onRef('k.ssl_key_fingerprint', '=', 'd.ssl_key_fingerprint'))
      .select(['k.jkt'])
      .where('d.guid', '=', rowGuid)
      .where('k.retired_at', 'is', null)
      .executeTakeFirst();

  /** "Below the purge barrier": a barrier exists and no device has re-enrolled past it. */
  const isPurged = async (rowGuid: string): Promise<boolean> => {
    const row = await deps.db
      .selectFrom('device_purge_barriers as b')
      .leftJoin('devices as d', 'd.guid', 'b.device_guid')
      .select(['b.required_token_version', 'd.token_version'])
      .where('b.device_guid', '=', rowGuid)
      .executeTakeFirst();
    return row !== undefined && (row.token_version === null || row.token_version < row.required_token_version);
  };

  const budget = (key: string, limit: number) => {
    try {
      deps.takeBudget(key, limit);
    } catch (err) {
      const retry = (err as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      throw rateLimited(typeof retry === 'number' ? retry : 60);
    }
  };

  return {
    async refresh(request, body) {
      const rowGuid = body.guid.toLowerCase();
      // The key is bound by the family's dpop_jkt (check 5), not by the device's current key: an
      // agent whose device was re-keyed (overwrite) must hear refresh_token_revoked (P5), not dpop_invalid.
      const proof = await deps.trust.dpop.verify({ method: request.method, path: request.path, header: request.headers.dpop });
      if (!proof.ok) throw dpopFailure(proof.code === 'use_dpop_nonce' ? 'dpop_invalid' : proof.code, proof.message, proof.serverTime);
      budget(`refresh:${rowGuid}`, REFRESH_PER_MINUTE);
      if (await isPurged(rowGuid)) throw new DeviceAuthError('device_purged', 'this device was purged; enrol again');
      const refresh = await deps.trust.refreshTokens.rotate({ guid: body.guid, token: body.refresh_token, jkt: proof.value.jkt });
      const access = await deps.trust.issueAccessToken(deps.db, { guid: rowGuid, jkt: proof.value.jkt });
      if (!access) throw new DeviceAuthError('device_not_found', 'no device has this GUID; enrol again');
      return respond(access, refresh);
    },

    async reauth(request, body) {
      const rowGuid = body.guid.toLowerCase();
      const proof = await deps.trust.dpop.verify({
        method: request.method,
        path: request.path,
        header: request.headers.dpop,
        isNonceValid: (nonce) => deps.nonces.isValid(nonce),
      });
      if (!proof.ok) {
        if (proof.code === 'use_dpop_nonce') throw new DeviceAuthError('use_dpop_nonce', 'send the DPoP proof again with the DPoP-Nonce given');
        throw dpopFailure(proof.code, proof.message, proof.serverTime);
      }
      if (await isPurged(rowGuid)) throw new DeviceAuthError('device_purged', 'this device was purged; enrol again');
      const outcome = await deps.db.transaction().execute(async (trx) => {
        // The row lock serialises reauths of one device, so the 10-minute rule cannot be raced.
        const device = await trx.selectFrom('devices').select(['guid', 'status', 'site_id', 'token_version']).where('guid', '=', rowGuid).forUpdate().executeTakeFirst();
        if (!device) throw new DeviceAuthError('device_not_found', 'no device has this GUID; enrol again');
        const key = await currentKey(trx, rowGuid);
        if (!key || key.jkt !== proof.value.jkt) throw new DeviceAuthError('reauth_denied', "the proof's key is not this device's key");
        if (device.status === 'revoked' || device.status === 'decommissioned') throw new DeviceAuthError('device_revoked', 'this device has been revoked');
        const now = deps.clock.now();
        const recent = await trx
          .selectFrom('audit_events')
          .select(['at'])
          .where('action', '=', 'device.reauth')
          .where('target_type', '=', 'device')
          .where('target_id', '=', body.guid)
          .where('at', '>', new Date(now.getTime() - REAUTH_FLAPPING_WINDOW_MS))
          .orderBy('at', 'desc')
          .execute();
        const last = recent[0] ? new Date(recent[0].at).getTime() : undefined;
        if (last !== undefined && now.getTime() - last < REAUTH_INTERVAL_MS) {
          throw rateLimited(Math.max(1, Math.ceil((last + REAUTH_INTERVAL_MS - now.getTime()) / 1000)), 'One reauth per 10 minutes');
        }
        await deps.trust.refreshTokens.revokeDeviceFamilies(trx, rowGuid, 'reauth');
        const isFlapping = recent.length + 1 >= REAUTH_FLAPPING_COUNT && device.status !== 'quarantined';
        if (isFlapping) {
          await trx
            .updateTable('devices')
            .set((eb) => ({
              status: 'quarantined',
              status_reason: 'auth_flapping',
              status_changed_at: now,
              status_changed_by: 'system',
              token_version: eb('token_version', '+', 1),
              version: eb('version', '+', 1),
              updated_at: now,
            }))
            .where('guid', '=', rowGuid)
            .execute();
          await deps.audit.record(trx, SYSTEM_ACTOR, {
            action: 'device.auth_flapping',
            severity: 'high',
            outcome: 'success',
            targetType: 'device',
            targetId: body.guid,
            siteId: device.site_id,
            details: { reauths_in_24h: recent.length + 1, status: 'quarantined' },
          });
        }
        const refresh = await deps.trust.refreshTokens.issueFamily(trx, { deviceGuid: rowGuid, jkt: proof.value.jkt });
        const access = await deps.trust.issueAccessToken(trx, { guid: rowGuid, jkt: proof.value.jkt });
        if (!access) throw new AppError('internal_error', 'device vanished during reauth');
        await deps.audit.record(trx, { ...request.actor, type: 'device', id: body.guid, name: null }, {
          action: 'device.reauth',
          severity: 'warning',
          targetType: 'device',
          targetId: body.guid,
          siteId: device.site_id,
          details: { family_id: refresh.familyId },
        });
        return { response: respond(access, refresh), isFlapping };
      });
      if (outcome.isFlapping) deps.deviceEvents.emit('trust_changed', { guid: body.guid, reason: 'quarantined' });
      return outcome.response;
    },
  };
}
