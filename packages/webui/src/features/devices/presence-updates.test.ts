// Behaviour of applyPresence: rows patched in place, the newest change winning, untouched data kept
// as the same object so the list does not re-render.
import type { DeviceList, DeviceListItem } from '@borealis/protocol';
import { describe, expect, it } from 'vitest';
import { applyDevicePresence, applyPresence, createRecentPresence, latestByGuid, parsePresenceUpdates, PRESENCE_WRITE_LAG_MS } from './presence-updates';

const GUID_A = '11111111-1111-4111-8111-111111111111';
const GUID_B = '22222222-2222-4222-8222-222222222222';

function row(guid: string, presence: 'online' | 'offline'): DeviceListItem {
  return {
    guid,
    agent_guid: guid,
    agent_id: `agent-${guid.slice(0, 4)}`,
    hostname: guid.slice(0, 4),
    agent_hostname: guid.slice(0, 4),
    fqdn: null,
    description: null,
    connection_type: 'agent',
    site_id: null,
    site_name: null,
    status: 'active',
    presence,
    last_seen: '2026-11-26T10:00:00Z',
    platform: 'linux',
    arch: 'x64',
    agent_version: null,
    operating_system: null,
    os_version: null,
    device_type: null,
    domain: null,
    internal_ip: null,
    external_ip: null,
    last_user: null,
    cpu_percent: null,
    memory_percent: null,
    storage_max_usage_percent: null,
    storage_free_percent: null,
    total_ram_bytes: null,
    logical_cores: null,
    cpu_model: null,
    uptime_seconds: null,
    last_reboot: null,
    enrolled_at: '2026-11-01T00:00:00Z',
  };
}

function pages(...lists: DeviceListItem[][]): { pages: DeviceList[]; pageParams: unknown[] } {
  return {
    pages: lists.map((devices) => ({ devices, next_cursor: null, count_estimate: devices.length })),
    pageParams: lists.map(() => undefined),
  };
}

describe('presence updates', () => {
  it('sets presence on the matching row of any page, GUID case ignored', () => {
    const data = pages([row(GUID_A, 'offline')], [row(GUID_B, 'offline')]);
    const next = applyPresence(data, [{ guid: GUID_B.toLowerCase(), status: 'online', changed_at: '2026-11-26T11:00:00Z' }]);
    expect(next!.pages[1]!.devices[0]).toMatchObject({ presence: 'online', last_seen: '2026-11-26T11:00:00Z' });
    expect(next!.pages[0]).toBe(data.pages[0]);
  });

  it('keeps last seen when a device goes offline', () => {
    const next = applyPresence(pages([row(GUID_A, 'online')]), [{ guid: GUID_A, status: 'offline', changed_at: '2026-11-26T11:00:00Z' }]);
    expect(next!.pages[0]!.devices[0]).toMatchObject({ presence: 'offline', last_seen: '2026-11-26T10:00:00Z' });
  });

  it('lets the latest change of a batch win, whatever its order', () => {
    const latest = latestByGuid([
      { guid: GUID_A, status: 'offline', changed_at: '2026-11-26T11:00:05Z' },
      { guid: GUID_A, status: 'online', changed_at: '2026-11-26T11:00:01Z' },
    ]);
    expect(latest.get(GUID_A)!.status).toBe('offline');
  });

  it('returns the same data when nothing changes', () => {
    const data = pages([row(GUID_A, 'online')]);
    expect(applyPresence(data, [{ guid: GUID_A, status: 'online', changed_at: '2026-11-26T11:00:00Z' }])).toBe(data);
    expect(applyPresence(data, [])).toBe(data);
    expect(applyPresence(undefined, [{ guid: GUID_A, status: 'online', changed_at: '2026-11-26T11:00:00Z' }])).toBeUndefined();
  });

  it('reads one change or a batch, and ignores a malformed event', () => {
    const one = { guid: GUID_A, hostname: 'a', site_id: 3, status: 'online', changed_at: '2026-11-26T11:00:00Z' };
    expect(parsePresenceUpdates(one)).toHaveLength(1);
    expect(parsePresenceUpdates([one, { ...one, guid: GUID_B }])).toHaveLength(2);
    expect(parsePresenceUpdates({ guid: GUID_A, status: 'away' })).toEqual([]);
  });

  it('sets one device\'s presence from the latest matching update, and keeps it as is otherwise', () => {
    const device = row(GUID_A, 'offline');
    expect(applyDevicePresence(device, [{ guid: GUID_A.toLowerCase(), status: 'online', changed_at: '2026-11-26T11:00:00Z' }])).toMatchObject({ presence: 'online' });
    expect(applyDevicePresence(device, [{ guid: GUID_B, status: 'online', changed_at: '2026-11-26T11:00:00Z' }])).toBe(device);
    expect(applyDevicePresence(device, [{ guid: GUID_A, status: 'offline', changed_at: '2026-11-26T11:00:00Z' }])).toBe(device);
  });

  it('remembers changes for as long as the engine may not have written them, the latest per device', () => {
    const recent = createRecentPresence();
    const at = 1_000_000;
    recent.remember([{ guid: GUID_A, status: 'online', changed_at: '2026-11-26T11:00:00Z' }], at);
    recent.remember([{ guid: GUID_A.toLowerCase(), status: 'offline', changed_at: '2026-11-26T11:00:09Z' }, { guid: GUID_B, status: 'online', changed_at: '2026-11-26T11:00:09Z' }], at + 9_000);
    expect(recent.current(at + 9_000)).toEqual([
      { guid: GUID_A.toLowerCase(), status: 'offline', changed_at: '2026-11-26T11:00:09Z' },
      { guid: GUID_B, status: 'online', changed_at: '2026-11-26T11:00:09Z' },
    ]);
    // A read made after the window comes from a row the engine has written: nothing to correct.
    expect(recent.current(at + 9_000 + PRESENCE_WRITE_LAG_MS + 1)).toEqual([]);
    recent.remember([{ guid: GUID_A, status: 'online', changed_at: '2026-11-26T11:01:00Z' }], at + 60_000);
    recent.clear();
    expect(recent.current(at + 60_000)).toEqual([]);
  });
});
