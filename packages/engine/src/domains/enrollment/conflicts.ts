// Conflict detection for an enrolment request (agent-protocol §2.5): the key already belongs to a
// device, or the host name does with another key; revoked and decommissioned devices are their own kind.

import { sql } from 'kysely';
import type { ConflictKind, ConflictResolution } from '@borealis/protocol';
import type { DeviceStatus } from '../../db/schema';
import type { DbExecutor } from '../audit/audit-log';

export interface ConflictingDevice {
  readonly guid: string;
  readonly display_name: string;
  readonly hostname: string;
  readonly status: DeviceStatus;
  readonly site_id: number | null;
}

export interface DetectedConflict {
  readonly kind: ConflictKind;
  readonly device: ConflictingDevice | null;
}

const NO_CONFLICT: DetectedConflict = Object.freeze({ kind: 'none', device: null });

const isRetired = (status: DeviceStatus) => status === 'revoked' || status === 'decommissioned';

/**
 * The key's device first (it decides), then a device with this host name and another key. One
 * statement (both columns are indexed): it runs on every enrolment request of a burst.
 */
export async function detectConflict(db: DbExecutor, input: { readonly fingerprint: string; readonly hostname: string }): Promise<DetectedConflict> {
  const isByKey = sql<boolean>`(ssl_key_fingerprint = ${input.fingerprint})`;
  const found = await db
    .selectFrom('devices')
    .select(['guid', 'display_name', 'hostname', 'status', 'site_id', isByKey.as('by_key')])
    .where(({ or, eb }) => or([eb('ssl_key_fingerprint', '=', input.fingerprint), eb(sql<string>`lower(hostname)`, '=', input.hostname.toLowerCase())]))
    .orderBy(isByKey, 'desc')
    // Several devices may share a host name (coexist); the live one is the one an approver means.
    .orderBy(sql`CASE WHEN status IN ('revoked', 'decommissioned') THEN 1 ELSE 0 END`)
    .orderBy('last_enrollment_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!found) return NO_CONFLICT;
  const { by_key: byKey, ...device } = found;
  if (byKey) return { kind: isRetired(device.status) ? 'revoked_device' : 'same_key', device };
  return { kind: isRetired(device.status) ? 'revoked_device' : 'same_hostname', device };
}

/** The choices an operator has for a conflict kind (empty: approve as a new device). */
export function allowedResolutions(kind: ConflictKind): readonly ConflictResolution[] {
  switch (kind) {
    case 'none':
      return [];
    case 'same_key':
      return ['merge'];
    case 'same_hostname':
      return ['overwrite', 'coexist'];
    case 'revoked_device':
      return ['overwrite'];
  }
}

/** Applied when the approver sends none; null means a choice is required (409). */
export function defaultResolution(kind: ConflictKind): ConflictResolution | null {
  return kind === 'same_key' ? 'merge' : null;
}

/** Auto-approval takes only requests that change nobody's security status (§2.5). */
export function isAutoApprovable(conflict: DetectedConflict): boolean {
  return conflict.kind === 'none' || (conflict.kind === 'same_key' && conflict.device?.status === 'active');
}
