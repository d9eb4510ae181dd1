// Live presence for the devices list: `agent_status_changed` updates patched into the cached pages
// in place (no refetch), newest change per device winning, pages untouched when nothing changed.
import { AgentStatusChangedSchema, type DeviceList, type Presence } from '@borealis/protocol';

export interface PresenceUpdate {
  readonly guid: string;
  readonly status: Presence;
  readonly changed_at: string;
}

/** The changes an `agent_status_changed` event carries (one or a batch); nothing when malformed. */
export function parsePresenceUpdates(payload: unknown): PresenceUpdate[] {
  const parsed = AgentStatusChangedSchema.safeParse(payload);
  if (!parsed.success) return [];
  return Array.isArray(parsed.data) ? parsed.data : [parsed.data];
}

export interface PagedDevices {
  readonly pages: readonly DeviceList[];
  readonly pageParams: readonly unknown[];
}

/** The last update per device (GUIDs compared case-insensitively), later `changed_at` winning. */
export function latestByGuid(updates: readonly PresenceUpdate[]): Map<string, PresenceUpdate> {
  const latest = new Map<string, PresenceUpdate>();
  for (const update of updates) {
    const key = update.guid.toUpperCase();
    const seen = latest.get(key);
    if (!seen || Date.parse(update.changed_at) >= Date.parse(seen.changed_at)) latest.set(key, update);
  }
  return latest;
}

/**
 * The cached pages with each updated device's presence set; an update older than the row's
 * `last_seen` going offline still applies (offline is decided by the engine). Returns the same
 * object when no row changed, so React Query does not re-render the list.
 */
export function applyPresence<T extends PagedDevices>(data: T | undefined, updates: readonly PresenceUpdate[]): T | undefined {
  if (!data || updates.length === 0) return data;
  const latest = latestByGuid(updates);
  let isChanged = false;
  const pages = data.pages.map((page) => {
    let isPageChanged = false;
    const devices = page.devices.map((device) => {
      const update = latest.get(device.guid.toUpperCase());
      if (!update || update.status === device.presence) return device;
      isPageChanged = true;
      // Going online is a sign of life: last seen moves with it.
      return { ...device, presence: update.status, last_seen: update.status === 'online' ? update.changed_at : device.last_seen };
    });
    if (!isPageChanged) return page;
    isChanged = true;
    return { ...page, devices };
  });
  return isChanged ? { ...data, pages } : data;
}
