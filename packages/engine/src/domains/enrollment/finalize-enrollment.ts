// Finalize (agent-protocol §2.4): turns an approved row into a device with its key, hot row, token
// version, refresh family and access token, inside the caller's one transaction. The code's use is
// counted by the caller after the commit (createEnrollmentCodeUseCounter), so no enrolment holds the site row.

import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { formatAgentId, jktFromSpki } from '@borealis/protocol/agent';
import type { Clock } from '../../clock';
import type { Insertable } from 'kysely';
import type { DevicesTable } from '../../db/schema';
import { ConflictError } from '../../errors';
import type { AuditLog, DbExecutor } from '../audit/audit-log';
import type { DeviceTrust } from '../devices/trust/device-trust';
import type { IssuedAccessToken } from '../devices/trust/issue-access-token';
import type { IssuedRefreshToken } from '../devices/trust/refresh-tokens';
import type { ApprovalRow } from './approval-repository';
import { lowerDisplayNameIn } from '../devices/display-name-sql';

/** `coexist` and name clashes add `-1`…`-50` (data-model.md `devices.display_name`). */
export const MAX_DISPLAY_NAME_SUFFIX = 50;

export interface FinalizedEnrollment {
  readonly guid: string;
  readonly agentId: string;
  readonly siteId: number;
  readonly siteName: string;
  readonly access: IssuedAccessToken;
  readonly refresh: IssuedRefreshToken;
  readonly change: 'created' | 'updated';
  /** Set when an existing device got a new key or was re-enrolled: its sockets must go. */
  readonly trustChange: 'key_changed' | 'reenrolled' | null;
}

export interface FinalizeDeps {
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly deviceTrust: Pick<DeviceTrust, 'refreshTokens' | 'issueAccessToken'>;
}

/** The first free display name: `base`, then `base-1` … `base-50`; taken by every other device → 409. */
export async function freeDisplayName(trx: DbExecutor, base: string, exceptGuid?: string): Promise<string> {
  const stem = base.slice(0, 253 - 3);
  const candidates = [base, ...Array.from({ length: MAX_DISPLAY_NAME_SUFFIX }, (_, i) => `${stem}-${i + 1}`)];
  let q = trx
    .selectFrom('devices')
    .select(sql<string>`lower(display_name)`.as('name'))
    .where(lowerDisplayNameIn(candidates));
  if (exceptGuid) q = q.where('guid', '<>', exceptGuid);
  const taken = new Set((await q.execute()).map((r) => r.name));
  const free = candidates.find((c) => !taken.has(c.toLowerCase()));
  if (!free) throw new ConflictError(`Every display name from ${base} to ${stem}-${MAX_DISPLAY_NAME_SUFFIX} is taken`);
  return free;
}

/**
 * Runs inside `trx` with the approval row locked; returns undefined when the row's site is gone
 * (the caller then expires the row, since a device cannot be bound to a deleted site).
 */
export async function finalizeEnrollment(
  deps: FinalizeDeps,
  trx: DbExecutor,
  row: ApprovalRow,
  actorIp: string | null,
  requestId: string | null,
  /** The row's site as read with the row lock (saves a round trip); read here when absent. */
  knownSite?: { readonly id: number; readonly name: string },
): Promise<FinalizedEnrollment | undefined> {
  if (row.site_id === null) return undefined;
  const site = knownSite ?? (await trx.selectFrom('sites').select(['id', 'name']).where('id', '=', row.site_id).executeTakeFirst());
  if (!site) return undefined;
  const now = deps.clock.now();
  const jkt = jktFromSpki(row.agent_pubkey);
  if (!jkt) throw new Error('stored agent_pubkey is not an Ed25519 SPKI');
  const fingerprint = row.ssl_key_fingerprint_claimed;

  // Merge and overwrite reuse the approved device, when it still exists.
  const target = row.device_guid
    ? await trx.selectFrom('devices').select(['guid', 'status', 'ssl_key_fingerprint', 'token_version']).where('guid', '=', row.device_guid).forUpdate().executeTakeFirst()
    : undefined;

  let guid: string;
  let change: FinalizedEnrollment['change'];
  let trustChange: FinalizedEnrollment['trustChange'] = null;
  let tokenVersion: number;
  /** A GUID drawn just now: no key, token family or purge barrier can name it yet. */
  let isFreshGuid = false;
  if (target) {
    guid = target.guid;
    change = 'updated';
    const isNewKey = target.ssl_key_fingerprint !== fingerprint;
    tokenVersion = isNewKey ? target.token_version + 1 : target.token_version;
    trustChange = isNewKey ? 'key_changed' : 'reenrolled';
    // Only an explicit overwrite of a revoked or decommissioned device reactivates it (§2.5).
    const reactivate = row.conflict_resolution === 'overwrite' && (target.status === 'revoked' || target.status === 'decommissioned');
    await trx
      .updateTable('devices')
      .set({
        hostname: row.hostname_claimed,
        fqdn: row.fqdn,
        site_id: site.id,
        ssl_key_fingerprint: fingerprint,
        token_version: tokenVersion,
        agent_id: formatAgentId(row.hostname_claimed, guid),
        platform: row.platform === 'windows' ? 'windows' : 'linux',
        arch: row.arch === 'arm64' ? 'arm64' : 'x64',
        agent_version: row.agent_version,
        machine_id_sha256: row.machine_id_sha256,
        last_enrollment_at: now,
        version: sql<number>`version + 1`,
        updated_at: now,
        ...(reactivate ? { status: 'active' as const, status_reason: 'enrollment overwrite', status_changed_at: now, status_changed_by: row.decided_by } : {}),
      })
      .where('guid', '=', guid)
      .execute();
  } else {
    // A purged GUID comes back with a token version above every token it ever had (routes.tsv poll).
    const barrier =
      row.conflict_resolution === 'coexist'
        ? undefined
        : await trx
            .selectFrom('device_purge_barriers')
            .select(['device_guid', 'required_token_version'])
            .where(sql<string>`lower(last_hostname)`, '=', row.hostname_claimed.toLowerCase())
            .where(({ not, exists, selectFrom }) => not(exists(selectFrom('devices').select('guid').whereRef('devices.guid', '=', 'device_purge_barriers.device_guid'))))
            .orderBy('purged_at', 'desc')
            .limit(1)
            .executeTakeFirst();
    isFreshGuid = !barrier;
    guid = barrier?.device_guid ?? randomUUID();
    tokenVersion = Math.max(1, barrier?.required_token_version ?? 1);
    change = 'created';
    const device: Insertable<DevicesTable> = {
      guid,
      display_name: await freeDisplayName(trx, row.hostname_claimed),
      hostname: row.hostname_claimed,
      fqdn: row.fqdn,
      site_id: site.id,
      ssl_key_fingerprint: fingerprint,
      token_version: tokenVersion,
      agent_id: formatAgentId(row.hostname_claimed, guid),
      platform: row.platform === 'windows' ? 'windows' : 'linux',
      arch: row.arch === 'arm64' ? 'arm64' : 'x64',
      agent_version: row.agent_version,
      machine_id_sha256: row.machine_id_sha256,
      enrolled_at: now,
      last_enrollment_at: now,
      created_at: now,
      updated_at: now,
    };
    if (isFreshGuid) {
      // The device, its key and its hot row (below) in one statement: an enrolment burst is bound
      // by round trips inside this transaction, not by the work of each insert.
      await trx
        .with('new_device', (db) => db.insertInto('devices').values(device).returning('guid'))
        .with('new_key', (db) =>
          db
            .insertInto('device_keys')
            .values({ id: randomUUID(), device_guid: guid, ssl_key_fingerprint: fingerprint, jkt, public_key_spki: row.agent_pubkey, added_at: now })
            .returning('id'),
        )
        .insertInto('device_heartbeat_state')
        .values({ device_guid: guid, agent_version: row.agent_version, written_at: now })
        .execute();
    } else {
      await trx.insertInto('devices').values(device).execute();
    }
  }
  if (!isFreshGuid) {
    await trx.deleteFrom('device_purge_barriers').where('device_guid', '=', guid).execute();
    // One live key per device: retire the others, keep or add this one.
    await trx.updateTable('device_keys').set({ retired_at: now }).where('device_guid', '=', guid).where('retired_at', 'is', null).where('ssl_key_fingerprint', '<>', fingerprint).execute();
    const liveKey = await trx.selectFrom('device_keys').select('id').where('device_guid', '=', guid).where('ssl_key_fingerprint', '=', fingerprint).where('retired_at', 'is', null).executeTakeFirst();
    if (!liveKey) {
      await trx
        .insertInto('device_keys')
        .values({ id: randomUUID(), device_guid: guid, ssl_key_fingerprint: fingerprint, jkt, public_key_spki: row.agent_pubkey, added_at: now })
        .execute();
    }
    // Enrolment creates the hot row; heartbeat flushes only ever update it (data-model.md §4).
    await trx
      .insertInto('device_heartbeat_state')
      .values({ device_guid: guid, agent_version: row.agent_version, written_at: now })
      .onConflict((oc) => oc.column('device_guid').doNothing())
      .execute();
    await deps.deviceTrust.refreshTokens.revokeDeviceFamilies(trx, guid, 'reenrolled');
  }

  const refresh = await deps.deviceTrust.refreshTokens.issueFamily(trx, { deviceGuid: guid, jkt });
  // The device row was written above in this transaction: its key and version are known.
  const access = await deps.deviceTrust.issueAccessToken(trx, { guid, jkt, device: { guid, ssl_key_fingerprint: fingerprint, token_version: tokenVersion } });
  if (!access) throw new Error('device row vanished inside its own transaction');

  await trx
    .updateTable('device_approvals')
    .set({ status: 'completed', device_guid: guid, completed_at: now, last_polled_at: now, updated_at: now })
    .where('id', '=', row.id)
    .execute();

  const wireGuid = guid.toUpperCase();
  await deps.audit.record(
    trx,
    { type: 'device', id: wireGuid, name: row.hostname_claimed, ip: actorIp, requestId },
    {
      action: 'device.enrolled',
      targetType: 'device',
      targetId: wireGuid,
      siteId: site.id,
      details: {
        approval_id: row.id,
        hostname: row.hostname_claimed,
        ssl_key_fingerprint: fingerprint,
        conflict_kind: row.conflict_kind,
        conflict_resolution: row.conflict_resolution,
        token_version: tokenVersion,
        refresh_family_id: refresh.familyId,
      },
    },
  );
  return { guid: wireGuid, agentId: formatAgentId(row.hostname_claimed, wireGuid), siteId: site.id, siteName: site.name, access, refresh, change, trustChange };
}

/**
 * §2.4 "increment the site's enrollment_code_uses", after the finalize commit: inside the
 * transaction every enrolment of a site queued behind the previous one's row lock until its
 * commit. Uses that arrive while an update runs are summed into the next one, so a burst updates
 * the site row a few times instead of once per device. The limit is checked at request time, so
 * a use counted a moment later changes nothing there.
 */
export function createEnrollmentCodeUseCounter(db: DbExecutor) {
  const pending = new Map<number, number>();
  let flushing: Promise<void> | null = null;
  const flush = async (): Promise<void> => {
    try {
      while (pending.size) {
        const [siteId, uses] = pending.entries().next().value!;
        pending.delete(siteId);
        try {
          await db.updateTable('sites').set({ enrollment_code_uses: sql<number>`enrollment_code_uses + ${uses}` }).where('id', '=', siteId).execute();
        } catch (err) {
          // Kept for the next enrolment's update (a busy pool is no reason to forget them).
          pending.set(siteId, (pending.get(siteId) ?? 0) + uses);
          throw err;
        }
      }
    } finally {
      flushing = null;
    }
  };
  return {
    /** Resolves once this use is stored, or at once when an update already running will take it. */
    async count(siteId: number): Promise<void> {
      pending.set(siteId, (pending.get(siteId) ?? 0) + 1);
      if (flushing) return;
      flushing = flush();
      await flushing;
    },
  };
}
