// One heartbeat, from the socket or the REST fallback (agent-protocol §4.3): it enters the node's
// coalescing map and is answered from memory plus the device's config view.

import { HEARTBEAT_INTERVAL_DEFAULT_S, HEARTBEAT_INTERVAL_MAX_S, type Heartbeat, type HeartbeatAck, type InventorySectionName } from '@borealis/protocol/agent';
import type { Clock } from '../../clock';
import type { DeviceConfigView } from './agent-config';
import type { AuthenticatedDevice } from './device-authenticator';
import type { HeartbeatStore } from './presence/heartbeat-store';

export function serverTime(clock: Clock): string {
  return clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Sections whose reported hash the engine does not hold (for example after a restore). */
export function wantedSections(reported: Partial<Record<InventorySectionName, string>>, stored: ReadonlyMap<string, string>): InventorySectionName[] {
  return (Object.entries(reported) as [InventorySectionName, string][]).filter(([section, hash]) => stored.get(section) !== hash).map(([section]) => section);
}

/** The ack may only raise the interval within 20–120 s (§4.3), whatever an override says. */
export function heartbeatIntervalOf(view: DeviceConfigView): number {
  return Math.min(HEARTBEAT_INTERVAL_MAX_S, Math.max(HEARTBEAT_INTERVAL_DEFAULT_S, Math.round(view.config.heartbeat_interval_s)));
}

export function acceptHeartbeat(
  deps: { readonly clock: Clock; readonly store: HeartbeatStore },
  device: Pick<AuthenticatedDevice, 'guid' | 'rowGuid' | 'hostname' | 'siteId'>,
  beat: Heartbeat,
  view: DeviceConfigView,
  storedHashes: ReadonlyMap<string, string>,
  viaSocket: boolean,
): HeartbeatAck {
  const intervalS = heartbeatIntervalOf(view);
  deps.store.heartbeat({ guid: device.guid, rowGuid: device.rowGuid, hostname: device.hostname, siteId: device.siteId }, beat, { viaSocket, intervalS });
  return {
    ok: true,
    server_time: serverTime(deps.clock),
    heartbeat_interval_s: intervalS,
    config_revision: view.config.revision,
    inventory_wanted: wantedSections(beat.inventory_hashes, storedHashes),
    site_id: view.siteId,
    site_name: view.siteName,
  };
}
