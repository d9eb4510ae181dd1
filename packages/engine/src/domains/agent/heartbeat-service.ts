// One heartbeat, from the socket or the REST fallback (agent-protocol §4.3): it enters the node's
// coalescing map and is answered from memory plus the device's config view.

import type { Heartbeat, HeartbeatAck, InventorySectionName } from '@borealis/protocol/agent';
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

export function acceptHeartbeat(
  deps: { readonly clock: Clock; readonly store: HeartbeatStore },
  device: Pick<AuthenticatedDevice, 'guid' | 'rowGuid' | 'hostname' | 'siteId'>,
  beat: Heartbeat,
  view: DeviceConfigView,
  storedHashes: ReadonlyMap<string, string>,
  viaSocket: boolean,
): HeartbeatAck {
  const intervalS = view.config.heartbeat_interval_s;
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
