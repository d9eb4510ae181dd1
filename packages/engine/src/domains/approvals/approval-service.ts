// Operator decisions on enrolment requests (agent-protocol §2.5): the scoped queue, approve with a
// conflict resolution re-checked at decision time, deny; each announced as `approvals_changed`.

import type { ApproveDeviceRequest, DeviceApproval, DeviceApprovalList, DeviceApprovalListQuery, DenyDeviceRequest, WrongCodeAttempt } from '@borealis/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { loadSiteScope, requireSitePermission, type ScopeUser } from '../../db/site-scope';
import { ConflictError, NotFoundError } from '../../errors';
import type { Actor, AuditLog } from '../audit/audit-log';
import type { DeviceEvents } from '../devices/device-events';
import { createApprovalRepository } from '../enrollment/approval-repository';
import { allowedResolutions, defaultResolution, detectConflict } from '../enrollment/conflicts';
import { APPROVAL_TTL } from '../enrollment/enrollment-service';
import { createApprovalListRepository, type ApprovalListRow } from './approval-list-repository';

export interface ApprovalServiceDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly deviceEvents: DeviceEvents;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function presentApproval(row: ApprovalListRow): DeviceApproval {
  const isOpen = row.status === 'pending';
  return {
    id: row.id,
    approval_reference: row.approval_reference,
    status: row.status,
    guid: row.device_guid?.toUpperCase() ?? null,
    hostname_claimed: row.hostname_claimed,
    fqdn: row.fqdn,
    ssl_key_fingerprint_claimed: row.ssl_key_fingerprint_claimed,
    site_id: row.site_id,
    site_name: row.site_name,
    agent_version: row.agent_version,
    platform: row.platform,
    arch: row.arch,
    machine_id_sha256: row.machine_id_sha256,
    remote_addr: row.remote_addr,
    conflict_kind: row.conflict_kind,
    conflict_device:
      row.cd_guid && row.cd_display_name && row.cd_hostname && row.cd_status
        ? { guid: row.cd_guid.toUpperCase(), display_name: row.cd_display_name, hostname: row.cd_hostname, status: row.cd_status, site_id: row.cd_site_id }
        : null,
    allowed_resolutions: isOpen ? [...allowedResolutions(row.conflict_kind)] : [],
    default_resolution: isOpen ? defaultResolution(row.conflict_kind) : null,
    conflict_resolution: row.conflict_resolution,
    decided_by: row.decided_by,
    decided_at: iso(row.decided_at),
    deny_reason: row.deny_reason,
    last_polled_at: iso(row.last_polled_at),
    expires_at: row.expires_at.toISOString(),
    completed_at: iso(row.completed_at),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function createApprovalService(deps: ApprovalServiceDeps) {
  const { db, clock, audit } = deps;
  const rows = createApprovalRepository();
  const lists = createApprovalListRepository();

  const announce = async () => {
    deps.deviceEvents.emit('approvals_changed', { pending_count: await rows.countPending(db) });
  };

  /** Locks a pending row the caller may decide on: 404 outside scope, 403 without the permission, 409 when decided. */
  const lockDecidable = async (trx: Parameters<typeof rows.findByIdForUpdate>[0], user: ScopeUser, id: string) => {
    const row = await rows.findByIdForUpdate(trx, id);
    if (!row) throw new NotFoundError('No such enrolment request');
    requireSitePermission(await loadSiteScope(trx, user), row.site_id, 'enrollment_approve', 'No such enrolment request');
    if (row.status !== 'pending') throw new ConflictError(`This request is already ${row.status}`, 'approval_not_pending');
    return row;
  };

  const current = async (id: string) => presentApproval((await lists.findById(db, id))!);

  return {
    async list(user: ScopeUser, query: DeviceApprovalListQuery): Promise<DeviceApprovalList> {
      const scope = await loadSiteScope(db, user);
      const pendingCount = await rows.countPending(db, scope.siteIds);
      if (query.status === 'wrong_code') {
        // Wrong codes name no site, so only admins (who reach site-less objects) see them.
        if (scope.siteIds !== null) return { approvals: [], wrong_codes: [], next_cursor: null, pending_count: pendingCount };
        const page = await lists.wrongCodes(db, { limit: query.limit, cursor: query.cursor });
        const wrong: WrongCodeAttempt[] = page.rows.map((r) => ({
          id: r.id,
          status: 'wrong_code',
          hostname_claimed: r.hostname_claimed,
          ssl_key_fingerprint_claimed: r.ssl_key_fingerprint_claimed,
          enrollment_code_mask: r.enrollment_code_mask,
          remote_addr: r.remote_addr,
          attempt_count: r.attempt_count,
          first_seen_at: r.first_seen_at.toISOString(),
          last_seen_at: r.last_seen_at.toISOString(),
          last_error: r.last_error,
        }));
        return { approvals: [], wrong_codes: wrong, next_cursor: page.nextCursor, pending_count: pendingCount };
      }
      const page = await lists.page(db, { siteIds: scope.siteIds, status: query.status, siteId: query.site_id, limit: query.limit, cursor: query.cursor });
      return { approvals: page.rows.map(presentApproval), wrong_codes: [], next_cursor: page.nextCursor, pending_count: pendingCount };
    },

    async approve(user: ScopeUser & { readonly username: string }, id: string, body: ApproveDeviceRequest, actor: Actor): Promise<DeviceApproval> {
      await db.transaction().execute(async (trx) => {
        const row = await lockDecidable(trx, user, id);
        // The fleet may have changed since the request arrived (§2.5: checked again at approval).
        const conflict = await detectConflict(trx, { fingerprint: row.ssl_key_fingerprint_claimed, hostname: row.hostname_claimed });
        const allowed = allowedResolutions(conflict.kind);
        const resolution = conflict.kind === 'none' ? null : (body.conflict_resolution ?? defaultResolution(conflict.kind));
        if (conflict.kind !== 'none' && (resolution === null || !allowed.includes(resolution))) {
          const what = { same_key: 'its key belongs to', same_hostname: 'its host name belongs to', revoked_device: 'it matches the revoked or decommissioned' }[conflict.kind];
          throw new ConflictError(
            `Choose a conflict resolution (${allowed.join(' or ')}): ${what} device ${conflict.device!.display_name} (${conflict.device!.guid.toUpperCase()})`,
            'conflict_resolution_required',
          );
        }
        if (body.guid && conflict.device && body.guid.toLowerCase() !== conflict.device.guid) {
          throw new ConflictError('The conflicting device has changed since you looked; reload and decide again');
        }
        const now = clock.now();
        const targetGuid = resolution === 'merge' || resolution === 'overwrite' ? conflict.device!.guid : null;
        await rows.update(trx, row.id, {
          status: 'approved',
          conflict_kind: conflict.kind,
          conflict_device_guid: conflict.device?.guid ?? null,
          conflict_resolution: resolution,
          device_guid: targetGuid,
          decided_by_user_id: user.user_id,
          decided_by: user.username,
          decided_at: now,
          expires_at: new Date(now.getTime() + APPROVAL_TTL.approvedMs),
          updated_at: now,
        });
        await audit.record(trx, actor, {
          action: 'enrollment.approved',
          targetType: 'device_approval',
          targetId: row.id,
          siteId: row.site_id,
          details: {
            hostname: row.hostname_claimed,
            ssl_key_fingerprint: row.ssl_key_fingerprint_claimed,
            conflict_kind: conflict.kind,
            conflict_resolution: resolution,
            guid: targetGuid?.toUpperCase() ?? null,
          },
        });
      });
      await announce();
      return current(id);
    },

    async deny(user: ScopeUser, id: string, body: DenyDeviceRequest, actor: Actor): Promise<DeviceApproval> {
      await db.transaction().execute(async (trx) => {
        const row = await lockDecidable(trx, user, id);
        const now = clock.now();
        await rows.update(trx, row.id, {
          status: 'denied',
          deny_reason: body.reason || null,
          decided_by_user_id: user.user_id,
          decided_by: actor.name,
          decided_at: now,
          updated_at: now,
        });
        await audit.record(trx, actor, {
          action: 'enrollment.denied',
          targetType: 'device_approval',
          targetId: row.id,
          siteId: row.site_id,
          details: { hostname: row.hostname_claimed, ssl_key_fingerprint: row.ssl_key_fingerprint_claimed, reason: body.reason ?? null },
        });
      });
      await announce();
      return current(id);
    },
  };
}

export type ApprovalService = ReturnType<typeof createApprovalService>;
