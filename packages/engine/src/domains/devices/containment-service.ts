// Containment (security.md §7.2 `device_contain`, agent-protocol.md §3.3): quarantine, unquarantine,
// revoke, retire and purge. Each is one transaction: status + token_version bump (or delete + purge
// barrier), refresh families revoked with their reason, audit rows; sockets are told after commit.

import type { DeviceActionResult, DevicePurgeResult, DeviceStatus } from '@borealis/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock';
import type { Database, RefreshRevokeReason } from '../../db/schema';
import { ConflictError, NotFoundError } from '../../errors';
import type { Actor, AuditLog, DbExecutor } from '../audit/audit-log';
import { removeDeviceFromScheduledJobs } from '../scheduled-jobs/targets';
import type { RefreshTokens } from './trust/refresh-tokens';
import type { DeviceEvents } from './device-events';
import { wireGuid } from './device-presenter';
import { createDeviceRepository } from './device-repository';

export interface ContainmentDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly deviceEvents: DeviceEvents;
  readonly refreshTokens: Pick<RefreshTokens, 'revokeDeviceFamilies'>;
}

export type ContainmentAction = 'quarantine' | 'unquarantine' | 'revoke' | 'retire';

interface Rule {
  readonly from: readonly DeviceStatus[];
  readonly to: DeviceStatus;
  readonly audit: string;
  readonly event: 'quarantined' | 'unquarantined' | 'revoked' | 'retired';
  /** Refresh families end with this reason; quarantine keeps them (a quarantined agent still refreshes). */
  readonly revokeRefresh: RefreshRevokeReason | null;
}

const RULES: Record<ContainmentAction, Rule> = {
  quarantine: { from: ['active'], to: 'quarantined', audit: 'device.quarantined', event: 'quarantined', revokeRefresh: null },
  unquarantine: { from: ['quarantined'], to: 'active', audit: 'device.unquarantined', event: 'unquarantined', revokeRefresh: null },
  revoke: { from: ['active', 'quarantined'], to: 'revoked', audit: 'device.revoked', event: 'revoked', revokeRefresh: 'device_revoked' },
  // Retiring keeps history but ends trust: the tokens go as for a revocation.
  retire: { from: ['active', 'quarantined', 'revoked'], to: 'decommissioned', audit: 'device.retired', event: 'retired', revokeRefresh: 'device_revoked' },
};

export function createContainmentService(deps: ContainmentDeps) {
  const { db, clock, audit } = deps;
  const repo = createDeviceRepository();

  const revokeFamilies = async (trx: DbExecutor, guid: string, siteId: number | null, reason: RefreshRevokeReason, actor: Actor): Promise<number> => {
    const families = await repo.liveFamilies(trx, guid);
    const revoked = await deps.refreshTokens.revokeDeviceFamilies(trx, guid, reason);
    for (const family of families) {
      await audit.record(trx, actor, { action: 'device.token_revoked', targetType: 'device', targetId: wireGuid(guid), siteId, details: { family_id: family, reason } });
    }
    return revoked;
  };

  const locked = async (trx: DbExecutor, guid: string) => {
    const device = await repo.lockDevice(trx, guid);
    if (!device) throw new NotFoundError('No such device');
    return device;
  };

  return {
    async act(action: ContainmentAction, guid: string, reason: string | null, actor: Actor): Promise<DeviceActionResult> {
      const rule = RULES[action];
      const result = await db.transaction().execute(async (trx) => {
        const device = await locked(trx, guid);
        if (!rule.from.includes(device.status)) {
          throw new ConflictError(`The device is ${device.status}; ${action} applies to ${rule.from.join(' or ')} devices`);
        }
        const now = clock.now();
        const changed = await repo.setStatus(trx, guid, { status: rule.to, reason, by: actor.name, now });
        const revoked = rule.revokeRefresh ? await revokeFamilies(trx, guid, device.site_id, rule.revokeRefresh, actor) : 0;
        await audit.record(trx, actor, {
          action: rule.audit,
          targetType: 'device',
          targetId: wireGuid(guid),
          siteId: device.site_id,
          details: { hostname: device.display_name, from: device.status, token_version: changed.token_version, ...(reason ? { reason } : {}), refresh_tokens_revoked: revoked },
        });
        return { device, changed, revoked };
      });
      const g = wireGuid(guid);
      deps.deviceEvents.emit('trust_changed', { guid: g, reason: rule.event });
      deps.deviceEvents.emit('device_changed', { guid: g, site_id: result.device.site_id, change: 'updated' });
      return {
        status: rule.to,
        guid: g,
        hostname: result.device.display_name,
        token_version: result.changed.token_version,
        status_changed_at: new Date(result.changed.status_changed_at).toISOString(),
        refresh_tokens_revoked: result.revoked,
      };
    },

    /** Deletes the device and its trust, keeps history, and bars its old tokens for good. */
    async purge(guid: string, actor: Actor): Promise<DevicePurgeResult> {
      const result = await db.transaction().execute(async (trx) => {
        const device = await locked(trx, guid);
        const now = clock.now();
        await revokeFamilies(trx, guid, device.site_id, 'device_purged', actor);
        const required = await repo.writeBarrier(trx, {
          guid,
          requiredTokenVersion: device.token_version + 1,
          now,
          userId: actor.type === 'user' ? actor.id : null,
          hostname: device.display_name,
          agentId: device.agent_id,
        });
        const deleted = await repo.purgeRows(trx, guid);
        const scheduledJobs = await removeDeviceFromScheduledJobs(trx, guid, now);
        await audit.record(trx, actor, {
          action: 'device.purged',
          targetType: 'device',
          targetId: wireGuid(guid),
          siteId: device.site_id,
          details: { hostname: device.display_name, agent_id: device.agent_id, required_token_version: required, deleted_rows: deleted, scheduled_jobs: scheduledJobs },
        });
        return { device, required, deleted, scheduledJobs };
      });
      const g = wireGuid(guid);
      deps.deviceEvents.emit('trust_changed', { guid: g, reason: 'purged' });
      deps.deviceEvents.emit('device_changed', { guid: g, site_id: result.device.site_id, change: 'removed' });
      return {
        status: 'purged',
        device_guid: g,
        hostname: result.device.display_name,
        required_token_version: result.required,
        scheduled_jobs: result.scheduledJobs,
        deleted_rows: result.deleted,
      };
    },
  };
}

export type ContainmentService = ReturnType<typeof createContainmentService>;
