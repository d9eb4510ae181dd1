// Live presence for the device pages: `agent_status_changed` updates patched into the cached pages
// in place (no refetch), newest change per device winning, pages untouched when nothing changed;
// and recent changes kept to correct reads the engine answered before it wrote them.
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

/** One device with its presence set by the latest matching update; the same object when unchanged. */
export function applyDevicePresence<T extends { readonly guid: string; readonly presence: Presence }>(device: T, updates: readonly PresenceUpdate[]): T {
  const update = latestByGuid(updates).get(device.guid.toUpperCase());
  return update && update.status !== device.presence ? { ...device, presence: update.status } : device;
}

/**
 * How far a live change can be ahead of the engine's REST answers: presence reaches the database in
 * the 10 s heartbeat flush (data-model.md §4); the rest is a margin for a slow flush.
 */
export const PRESENCE_WRITE_LAG_MS = 15_000;

export interface RecentPresence {
  /** Notes changes as received at `now` (the browser's clock: the engine's may differ). */
  remember(updates: readonly PresenceUpdate[], now: number): void;
  /** The changes received within PRESENCE_WRITE_LAG_MS of `now`, newest per device. */
  current(now: number): PresenceUpdate[];
  /** Forgets everything (after a reconnect the engine is asked again and changes may have been missed). */
  clear(): void;
}

/**
 * Changes received lately. A list or device read in that window may have been answered from a row
 * the engine had not written yet, and a device first loaded after its change got no patch at all.
 */
export function createRecentPresence(): RecentPresence {
  const byGuid = new Map<string, { readonly update: PresenceUpdate; readonly receivedAt: number }>();
  const prune = (now: number) => {
    for (const [guid, seen] of byGuid) if (now - seen.receivedAt > PRESENCE_WRITE_LAG_MS) byGuid.delete(guid);
  };
  return {
    remember(updates, now) {
      for (const [guid, update] of latestByGuid(updates)) byGuid.set(guid, { update, receivedAt: now });
      prune(now);
    },
    current(now) {
      prune(now);
      return [...byGuid.values()].map((seen) => seen.update);
    },
    clear: () => byGuid.clear(),
  };
}
