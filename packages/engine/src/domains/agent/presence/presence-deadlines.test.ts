// Presence deadlines kept in per-second buckets (heartbeat-store.ts): Offline exactly at the 60 s
// silence mark and the 10 s loss grace, beats that move a deadline, sub-second ticks, a clock that
// jumps forward or back, and many devices whose deadlines fall in different seconds.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Heartbeat } from '@borealis/protocol/agent';
import { createManualClock } from '../../../clock';
import { startTestEngine, type TestEngine } from '../../../../test/engine-harness';
import { createDeviceEvents } from '../../devices/device-events';
import { createHeartbeatStore, type HeartbeatStore, type PresenceDevice } from './heartbeat-store';

const beat = { boot_id: '00000000-0000-4000-8000-000000000001' } as unknown as Heartbeat;

function device(n: number): PresenceDevice {
  const hex = n.toString(16).padStart(12, '0');
  return { guid: `00000000-0000-4000-8000-${hex}`.toUpperCase(), rowGuid: `00000000-0000-4000-8000-${hex}`, hostname: `host-${n}`, siteId: null };
}

describe('presence deadlines', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite' });
  });
  afterAll(() => t.close());

  const storeAt = (start: string) => {
    const clock = createManualClock(start);
    const events = createDeviceEvents();
    const offline: string[] = [];
    events.on('presence_changed', (e) => {
      if (e.status === 'offline') offline.push(e.guid);
    });
    const store: HeartbeatStore = createHeartbeatStore({ db: t.engine.ctx.db, clock, nodeId: 'test-node', events });
    return { clock, store, offline };
  };

  it('goes Offline at the silence mark, not before, whatever the tick phase; a beat moves the deadline', () => {
    const { clock, store, offline } = storeAt('2026-11-26T06:00:00.600Z');
    const d = device(1);
    store.register(d, 's1');
    store.heartbeat(d, beat, { viaSocket: true, intervalS: 20 });
    clock.advance(30_000);
    store.tick();
    store.heartbeat(d, beat, { viaSocket: true, intervalS: 20 }); // deadline now 60 s after this beat
    clock.advance(59_750);
    store.tick();
    expect(store.isOnline(d.guid)).toBe(true);
    clock.advance(249);
    store.tick();
    expect(store.isOnline(d.guid)).toBe(true);
    clock.advance(1);
    store.tick();
    expect(store.isOnline(d.guid)).toBe(false);
    expect(offline).toEqual([d.guid]);
  });

  it('a longer interval moves the deadline out; a lost socket goes Offline after 10 s; a re-registration cancels it', () => {
    const { clock, store } = storeAt('2026-11-26T06:00:00Z');
    const slow = device(2);
    const lost = device(3);
    const back = device(4);
    for (const d of [slow, lost, back]) store.register(d, `s-${d.hostname}`);
    store.heartbeat(slow, beat, { viaSocket: true, intervalS: 60 }); // 2 × 65 + 10 = 140 s
    store.socketLost(lost.guid, `s-${lost.hostname}`);
    store.socketLost(back.guid, `s-${back.hostname}`);
    clock.advance(5_000);
    store.tick();
    store.register(back, 's-new');
    clock.advance(5_000);
    store.tick();
    expect([store.isOnline(slow.guid), store.isOnline(lost.guid), store.isOnline(back.guid)]).toEqual([true, false, true]);
    clock.advance(125_000);
    store.tick();
    expect(store.isOnline(slow.guid)).toBe(true);
    clock.advance(5_000);
    store.tick();
    expect(store.isOnline(slow.guid)).toBe(false);
  });

  it('many devices with spread deadlines, a clock that jumps forward and one set back', () => {
    const { clock, store, offline } = storeAt('2026-11-26T06:00:00Z');
    const devices = Array.from({ length: 500 }, (_, i) => device(100 + i));
    for (const [i, d] of devices.entries()) {
      store.register(d, `s${i}`);
      clock.advance(97); // registrations spread over ~48 s: deadlines in many different seconds
    }
    // 30 s after the last registration: the first ~120 devices (60 s and older) are due.
    clock.advance(30_000);
    store.tick();
    const due = devices.filter((_, i) => (500 - i) * 97 + 30_000 >= 60_000).length;
    expect(offline.length).toBe(due);
    expect(devices.slice(0, due).every((d) => !store.isOnline(d.guid))).toBe(true);
    expect(devices.slice(due).every((d) => store.isOnline(d.guid))).toBe(true);
    // A clock set back a minute, then a beat for everyone still online: nothing is due until 60 s after it.
    clock.advance(-60_000);
    store.tick();
    for (const d of devices.slice(due)) store.heartbeat(d, beat, { viaSocket: true, intervalS: 20 });
    clock.advance(59_000);
    store.tick();
    expect(offline.length).toBe(due);
    // A jump far ahead (a suspended host) takes every remaining device Offline in one tick.
    clock.advance(3_600_000);
    store.tick();
    expect(offline.length).toBe(devices.length);
    expect(new Set(offline).size).toBe(devices.length);
  });
});
