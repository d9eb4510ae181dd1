// In-process device signals between domains: the devices/approvals services announce changes,
// the agent socket layer and the operator namespace react (disconnect, push to browsers).

import { EventEmitter } from 'node:events';

export interface DeviceEventMap {
  /** token_version bumped or trust removed: the device's sockets must close within 5 s (agent-protocol §5.1). */
  trust_changed: [{ readonly guid: string; readonly reason: 'quarantined' | 'unquarantined' | 'revoked' | 'purged' | 'retired' | 'key_changed' | 'reenrolled' }];
  /** A socket registered or went away (data-model.md §4: emitted from memory at the transition). */
  presence_changed: [{ readonly guid: string; readonly hostname: string; readonly site_id: number | null; readonly status: 'online' | 'offline'; readonly changed_at: string }];
  /** Inventory sections stored for a device. */
  inventory_changed: [{ readonly guid: string; readonly site_id: number | null; readonly sections: readonly string[] }];
  /** The approval queue changed (api.md `approvals_changed`). */
  approvals_changed: [{ readonly pending_count: number }];
  /** A device row was created, edited, moved between sites or removed. */
  device_changed: [{ readonly guid: string; readonly site_id: number | null; readonly change: 'created' | 'updated' | 'removed' }];
}

export type DeviceEvents = EventEmitter<DeviceEventMap>;

export function createDeviceEvents(): DeviceEvents {
  const events = new EventEmitter<DeviceEventMap>();
  // One listener per subsystem and per open engine in tests; no leak warning for a handful.
  events.setMaxListeners(50);
  return events;
}
