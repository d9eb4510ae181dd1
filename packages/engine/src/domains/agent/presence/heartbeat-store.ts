// Heartbeat coalescing and presence per node (data-model.md §4): the latest beat of each device is
// kept in memory, presence changes are decided from memory (and announced at once), and every 10 s
// the dirty devices are written with one `UPDATE … FROM unnest(…)` per chunk of at most 5,000 rows.

import { sql, type Kysely } from 'kysely';
import type { Heartbeat } from '@borealis/protocol/agent';
import type { Clock } from '../../../clock';
import type { Database } from '../../../db/schema';
import type { DeviceEvents } from '../../devices/device-events';

export const FLUSH_CHUNK_ROWS = 5000;
/** last_seen_at is rewritten only once it has moved this far (gauges ride along, so ≤60 s stale). */
export const LAST_SEEN_WRITE_STEP_MS = 60_000;
/** Offline this long after the socket is lost without re-registration (agent-protocol §4.3). */
export const SOCKET_LOSS_GRACE_MS = 10_000;

export interface PresenceDevice {
  /** Wire form (upper-case). */
  readonly guid: string;
  readonly rowGuid: string;
  readonly hostname: string;
  readonly siteId: number | null;
}

type Presence = 'online' | 'offline';

interface Entry {
  device: PresenceDevice;
  presence: Presence;
  presenceAt: Date;
  /** What the row was last written with: presence `keep` means this node never owned it. */
  writtenPresence: Presence | 'keep';
  socketId: string | null;
  registeredAt: Date | null;
  lostAt: Date | null;
  lastBeatAt: Date | null;
  intervalS: number;
  lastSeenAt: Date | null;
  writtenLastSeenAt: Date | null;
  beat: Heartbeat | null;
  roleHealth: string | null;
  writtenKey: string;
  /** The beat has not been written yet (gauges) or a write failed. */
  hasPendingBeat: boolean;
  /** The second (epoch s) of the presence-deadline bucket this entry waits in, or null. */
  bucket: number | null;
}

export interface FlushResult {
  readonly statements: number;
  readonly rows: number;
}

export interface HeartbeatStore {
  /** A socket registered (`connect_agent`): Online at once. */
  register(device: PresenceDevice, socketId: string): void;
  /** The registered socket went away; Offline after 10 s unless the device registers again. */
  socketLost(guid: string, socketId: string): void;
  /** The socket was superseded by a newer registration elsewhere: forget it without an offline event. */
  release(guid: string, socketId: string): void;
  /** A beat on the socket or over REST (REST beats never change presence). */
  heartbeat(device: PresenceDevice, beat: Heartbeat, options: { readonly viaSocket: boolean; readonly intervalS: number }): void;
  isOnline(guid: string): boolean;
  /** Applies the offline rules; run every 250 ms and when a socket's grace ends. */
  tick(): void;
  /** Writes the dirty devices; a failure keeps them dirty for the next call. */
  flush(): Promise<FlushResult>;
  /** Graceful stop: everything written and this node's presence cleared, in one statement per chunk. */
  flushAndClearPresence(): Promise<FlushResult>;
  /** Devices registered here that another node registered later (cross-node `superseded`). */
  findSupersededElsewhere(): Promise<readonly { readonly guid: string; readonly socketId: string }[]>;
  /** Devices with a socket here whose trust changed in the database (another node bumped token_version). */
  findTrustChanged(tokenVersions: ReadonlyMap<string, number>): Promise<readonly string[]>;
}

export interface HeartbeatStoreDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly nodeId: string;
  readonly events: DeviceEvents;
}

/** 2 × (interval + 5 s) + 10 s: 60 s at the default 20 s interval (§4.3). */
export function offlineAfterMs(intervalS: number): number {
  return (2 * (intervalS + 5) + 10) * 1000;
}

function nonGaugeKey(beat: Heartbeat | null, roleHealth: string | null): string {
  if (!beat) return '';
  return JSON.stringify([beat.boot_id, beat.last_reboot, beat.agent_version, beat.release_channel, beat.last_user, beat.logged_in_users, beat.internal_ip, roleHealth, beat.vpn ?? null]);
}

export function createHeartbeatStore(deps: HeartbeatStoreDeps): HeartbeatStore {
  const entries = new Map<string, Entry>();
  const me = deps.nodeId;

  const entryFor = (device: PresenceDevice): Entry => {
    let e = entries.get(device.guid);
    if (!e) {
      e = {
        device,
        presence: 'offline',
        presenceAt: deps.clock.now(),
        writtenPresence: 'keep',
        socketId: null,
        registeredAt: null,
        lostAt: null,
        lastBeatAt: null,
        intervalS: 20,
        lastSeenAt: null,
        writtenLastSeenAt: null,
        beat: null,
        roleHealth: null,
        writtenKey: '',
        hasPendingBeat: false,
        bucket: null,
      };
      entries.set(device.guid, e);
    } else {
      e.device = device;
    }
    return e;
  };

  /**
   * Online entries wait in a bucket per second of their next offline deadline, so a tick looks only
   * at the buckets that came due instead of walking every device (a 10,000-device walk four times a
   * second showed in the hold profile, docs/benchmarks.md).
   */
  const buckets = new Map<number, Set<Entry>>();
  let checkedUpTo = Math.floor(deps.clock.now().getTime() / 1000) - 1;

  const deadlineOf = (e: Entry): number | null => {
    if (e.presence !== 'online') return null;
    let at = e.lastBeatAt ? e.lastBeatAt.getTime() + offlineAfterMs(e.intervalS) : Infinity;
    if (!e.socketId && e.lostAt) at = Math.min(at, e.lostAt.getTime() + SOCKET_LOSS_GRACE_MS);
    return Number.isFinite(at) ? at : null;
  };

  const unschedule = (e: Entry) => {
    if (e.bucket === null) return;
    const set = buckets.get(e.bucket);
    set?.delete(e);
    if (set && !set.size) buckets.delete(e.bucket);
    e.bucket = null;
  };

  const schedule = (e: Entry) => {
    const at = deadlineOf(e);
    // A deadline already behind the last tick waits in that tick's second, which the next tick re-reads.
    const second = at === null ? null : Math.max(checkedUpTo, Math.floor(at / 1000));
    if (second === e.bucket) return;
    unschedule(e);
    if (second === null) return;
    let set = buckets.get(second);
    if (!set) buckets.set(second, (set = new Set()));
    set.add(e);
    e.bucket = second;
  };

  const transition = (e: Entry, presence: Presence, at: Date) => {
    if (e.presence === presence) return;
    e.presence = presence;
    e.presenceAt = at;
    deps.events.emit('presence_changed', { guid: e.device.guid, hostname: e.device.hostname, site_id: e.device.siteId, status: presence, changed_at: at.toISOString() });
  };

  const presenceOp = (e: Entry): 'on' | 'off' | 'keep' => {
    if (e.presence === 'online' && e.writtenPresence !== 'online') return 'on';
    if (e.presence === 'offline' && e.writtenPresence === 'online') return 'off';
    return 'keep';
  };

  const isDirty = (e: Entry): boolean => {
    if (presenceOp(e) !== 'keep') return true;
    if (e.lastSeenAt && (!e.writtenLastSeenAt || e.lastSeenAt.getTime() - e.writtenLastSeenAt.getTime() >= LAST_SEEN_WRITE_STEP_MS)) return true;
    return e.hasPendingBeat && nonGaugeKey(e.beat, e.roleHealth) !== e.writtenKey;
  };

  const write = async (batch: readonly Entry[], clearAll: boolean): Promise<FlushResult> => {
    let statements = 0;
    for (let i = 0; i < batch.length; i += FLUSH_CHUNK_ROWS) {
      const chunk = batch.slice(i, i + FLUSH_CHUNK_ROWS);
      const ops = chunk.map((e) => (clearAll ? (e.writtenPresence === 'online' || e.presence === 'online' ? 'off' : 'keep') : presenceOp(e)));
      const col = <T>(pick: (e: Entry) => T) => chunk.map(pick);
      const b = (e: Entry) => (e.hasPendingBeat ? e.beat : null);
      const now = deps.clock.now();
      await sql`
        UPDATE device_heartbeat_state AS s SET
          last_seen_at = GREATEST(s.last_seen_at, v.last_seen_at),
          presence_node_id = CASE
            WHEN v.presence = 'on' AND (s.presence_changed_at IS NULL OR s.presence_changed_at <= v.presence_at OR s.presence_node_id IS NULL) THEN ${me}
            WHEN v.presence = 'off' AND s.presence_node_id = ${me} THEN NULL
            ELSE s.presence_node_id END,
          presence_changed_at = CASE
            WHEN v.presence = 'on' AND s.presence_node_id IS DISTINCT FROM ${me} AND (s.presence_changed_at IS NULL OR s.presence_changed_at <= v.presence_at OR s.presence_node_id IS NULL) THEN v.presence_at
            WHEN v.presence = 'off' AND s.presence_node_id = ${me} THEN v.presence_at
            ELSE s.presence_changed_at END,
          boot_id = CASE WHEN v.has_beat THEN v.boot_id ELSE s.boot_id END,
          uptime_seconds = CASE WHEN v.has_beat THEN v.uptime_seconds ELSE s.uptime_seconds END,
          last_reboot_at = CASE WHEN v.has_beat THEN v.last_reboot_at ELSE s.last_reboot_at END,
          agent_version = CASE WHEN v.has_beat THEN v.agent_version ELSE s.agent_version END,
          release_channel = CASE WHEN v.has_beat THEN v.release_channel ELSE s.release_channel END,
          cpu_percent = CASE WHEN v.has_beat THEN v.cpu_percent ELSE s.cpu_percent END,
          memory_percent = CASE WHEN v.has_beat THEN v.memory_percent ELSE s.memory_percent END,
          swap_percent = CASE WHEN v.has_beat THEN v.swap_percent ELSE s.swap_percent END,
          load_1m = CASE WHEN v.has_beat THEN v.load_1m ELSE s.load_1m END,
          process_count = CASE WHEN v.has_beat THEN v.process_count ELSE s.process_count END,
          disks = CASE WHEN v.has_beat THEN v.disks ELSE s.disks END,
          storage_max_usage_percent = CASE WHEN v.has_beat THEN v.storage_max ELSE s.storage_max_usage_percent END,
          last_user = CASE WHEN v.has_beat THEN v.last_user ELSE s.last_user END,
          logged_in_users = CASE WHEN v.has_beat THEN ARRAY(SELECT jsonb_array_elements_text(v.logged_in_users)) ELSE s.logged_in_users END,
          internal_ip = CASE WHEN v.has_beat THEN v.internal_ip ELSE s.internal_ip END,
          role_health = COALESCE(v.role_health, s.role_health),
          vpn = COALESCE(v.vpn, s.vpn),
          written_at = ${now.toISOString()}::timestamptz
        FROM unnest(
          ${col((e) => e.device.rowGuid)}::uuid[],
          ${col((e) => e.lastSeenAt?.toISOString() ?? null)}::timestamptz[],
          ${ops}::text[],
          ${col((e) => e.presenceAt.toISOString())}::timestamptz[],
          ${col((e) => b(e) !== null)}::boolean[],
          ${col((e) => b(e)?.boot_id ?? null)}::uuid[],
          ${col((e) => b(e)?.uptime_s ?? null)}::bigint[],
          ${col((e) => b(e)?.last_reboot ?? null)}::timestamptz[],
          ${col((e) => b(e)?.agent_version ?? null)}::text[],
          ${col((e) => b(e)?.release_channel ?? null)}::text[],
          ${col((e) => b(e)?.metrics.cpu_percent ?? null)}::real[],
          ${col((e) => b(e)?.metrics.memory_percent ?? null)}::real[],
          ${col((e) => b(e)?.metrics.swap_percent ?? null)}::real[],
          ${col((e) => b(e)?.metrics.load_1m ?? null)}::real[],
          ${col((e) => b(e)?.metrics.process_count ?? null)}::integer[],
          ${col((e) => { const beat = b(e); return beat ? JSON.stringify(beat.disks) : null; })}::jsonb[],
          ${col((e) => { const beat = b(e); return beat && beat.disks.length ? Math.max(...beat.disks.map((d) => d.usage)) : null; })}::real[],
          ${col((e) => b(e)?.last_user ?? null)}::text[],
          ${col((e) => { const beat = b(e); return beat ? JSON.stringify(beat.logged_in_users) : null; })}::jsonb[],
          ${col((e) => b(e)?.internal_ip ?? null)}::inet[],
          ${col((e) => (b(e) ? e.roleHealth : null))}::jsonb[],
          ${col((e) => { const vpn = b(e)?.vpn; return vpn ? JSON.stringify(vpn) : null; })}::jsonb[]
        ) AS v(device_guid, last_seen_at, presence, presence_at, has_beat, boot_id, uptime_seconds, last_reboot_at, agent_version, release_channel,
               cpu_percent, memory_percent, swap_percent, load_1m, process_count, disks, storage_max, last_user, logged_in_users, internal_ip, role_health, vpn)
        WHERE s.device_guid = v.device_guid`.execute(deps.db);
      statements += 1;
      // Only after the statement succeeded: a failed chunk stays dirty for the next flush.
      chunk.forEach((e, index) => {
        const op = ops[index];
        if (op === 'on') e.writtenPresence = 'online';
        else if (op === 'off') e.writtenPresence = 'offline';
        if (e.lastSeenAt) e.writtenLastSeenAt = e.lastSeenAt;
        if (e.hasPendingBeat) {
          e.writtenKey = nonGaugeKey(e.beat, e.roleHealth);
          e.hasPendingBeat = false;
        }
      });
    }
    return { statements, rows: batch.length };
  };

  /** Entries with nothing to say any more are dropped, so the map holds only live devices. */
  const prune = () => {
    const horizon = deps.clock.now().getTime() - 5 * 60_000;
    for (const [guid, e] of entries) {
      if (e.presence === 'offline' && e.writtenPresence !== 'online' && !e.socketId && !isDirty(e) && (e.lastSeenAt?.getTime() ?? 0) < horizon) {
        unschedule(e);
        entries.delete(guid);
      }
    }
  };

  return {
    register(device, socketId) {
      const e = entryFor(device);
      const now = deps.clock.now();
      e.socketId = socketId;
      e.registeredAt = now;
      e.lostAt = null;
      e.lastBeatAt = now;
      e.lastSeenAt = now;
      // A re-registration counts as a fresh claim on the row, even when memory already said online.
      if (e.presence === 'online') e.writtenPresence = 'keep';
      transition(e, 'online', now);
      e.presenceAt = now;
      schedule(e);
    },
    socketLost(guid, socketId) {
      const e = entries.get(guid);
      if (!e || e.socketId !== socketId) return;
      e.socketId = null;
      e.lostAt = deps.clock.now();
      schedule(e);
    },
    release(guid, socketId) {
      const e = entries.get(guid);
      if (e && e.socketId === socketId) {
        unschedule(e);
        entries.delete(guid);
      }
    },
    heartbeat(device, beat, options) {
      const e = entryFor(device);
      const now = deps.clock.now();
      e.lastSeenAt = now;
      e.beat = beat;
      if (beat.role_health) e.roleHealth = JSON.stringify(beat.role_health);
      e.hasPendingBeat = true;
      e.intervalS = options.intervalS;
      if (options.viaSocket && e.socketId) {
        e.lastBeatAt = now;
        transition(e, 'online', now);
      }
      schedule(e);
    },
    isOnline: (guid) => entries.get(guid)?.presence === 'online',
    tick() {
      const now = deps.clock.now();
      const nowMs = now.getTime();
      const nowSecond = Math.floor(nowMs / 1000);
      // Seconds since the last tick, or (after a long gap or a clock set back) the buckets themselves.
      const due: number[] = [];
      if (nowSecond - checkedUpTo > buckets.size || nowSecond < checkedUpTo) {
        for (const second of buckets.keys()) if (second <= nowSecond) due.push(second);
      } else {
        for (let second = checkedUpTo + 1; second <= nowSecond; second += 1) if (buckets.has(second)) due.push(second);
        // The current second was looked at last time too; what was not due then may be now.
        if (buckets.has(checkedUpTo) && checkedUpTo <= nowSecond) due.push(checkedUpTo);
      }
      checkedUpTo = nowSecond;
      for (const second of due) {
        const set = buckets.get(second);
        if (!set) continue;
        for (const e of [...set]) {
          const at = deadlineOf(e);
          if (at !== null && at <= nowMs) {
            transition(e, 'offline', now);
            unschedule(e);
          } else schedule(e);
        }
      }
    },
    async flush() {
      const dirty = [...entries.values()].filter(isDirty);
      const result = dirty.length ? await write(dirty, false) : { statements: 0, rows: 0 };
      prune();
      return result;
    },
    async flushAndClearPresence() {
      const all = [...entries.values()].filter((e) => isDirty(e) || e.writtenPresence === 'online' || e.presence === 'online');
      for (const e of all) e.socketId = null;
      const result = all.length ? await write(all, true) : { statements: 0, rows: 0 };
      entries.clear();
      buckets.clear();
      return result;
    },
    async findTrustChanged(tokenVersions) {
      if (!tokenVersions.size) return [];
      // Compared in the database, which returns only the changed devices: one array parameter per
      // column instead of one bind parameter per socket and every row back every 10 s.
      const wire = new Map([...tokenVersions.keys()].map((g) => [g.toLowerCase(), g]));
      const rows = await sql<{ guid: string }>`
        SELECT v.guid::text AS guid
        FROM unnest(${[...wire.keys()]}::uuid[], ${[...tokenVersions.values()]}::integer[]) AS v(guid, token_version)
        LEFT JOIN devices d ON d.guid = v.guid
        WHERE d.guid IS NULL OR d.token_version <> v.token_version OR d.status IN ('revoked', 'decommissioned')`.execute(deps.db);
      return rows.rows.map((r) => wire.get(r.guid) ?? r.guid.toUpperCase());
    },
    async findSupersededElsewhere() {
      const mine = [...entries.values()].filter((e) => e.socketId && e.writtenPresence === 'online');
      if (!mine.length) return [];
      const rows = await sql<{ device_guid: string }>`
        SELECT device_guid FROM device_heartbeat_state
        WHERE device_guid = ANY(${mine.map((e) => e.device.rowGuid)}::uuid[]) AND presence_node_id IS NOT NULL AND presence_node_id <> ${me}`.execute(deps.db);
      const taken = new Set(rows.rows.map((r) => r.device_guid.toUpperCase()));
      return mine.filter((e) => taken.has(e.device.guid)).map((e) => ({ guid: e.device.guid, socketId: e.socketId! }));
    },
  };
}
