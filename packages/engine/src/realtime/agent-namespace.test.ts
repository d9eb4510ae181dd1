// The /agent namespace against a listening engine: P13 (handshake refusals, register timeout,
// superseded on one node and across nodes), P12 (trust changes drop sockets), P14 (presence and
// heartbeats), admission, unknown events and malformed payloads, and the graceful stop.

import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectAgentAckSchema, HeartbeatAckSchema } from '@borealis/protocol/agent';
import { createManualClock } from '../clock';
import { createPostgresDatabase, type TestPostgresDatabase } from '../../test/databases';
import { makeHome, startTestEngine, type TestEngine } from '../../test/engine-harness';
import { connectAgent, disconnected, insertSite, openAgentSocket, TestAgent } from '../../test/test-agent';

async function until(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('agent namespace', () => {
  const clock = createManualClock('2026-11-26T06:00:00Z');
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite', listen: true, clock, agent: { loops: false, registerTimeoutMs: 1_500, shutdownGraceMs: 200 } });
  });
  afterAll(() => t.close());
  const runtime = () => t.engine.ctx.agents!;
  const presenceRow = (agent: TestAgent) =>
    t.engine.ctx.db.selectFrom('device_heartbeat_state').selectAll().where('device_guid', '=', agent.rowGuid).executeTakeFirstOrThrow();

  it('P13: no headers → missing_authorization; a reused upgrade proof → dpop_replayed', async () => {
    const bare = await openAgentSocket(t.url!, {});
    expect('error' in bare && bare.error.message).toBe('missing_authorization');
    expect('error' in bare && bare.error.data).toEqual({ code: 'missing_authorization' });
    const agent = await TestAgent.create(t);
    const headers = agent.upgradeHeaders();
    const first = await openAgentSocket(t.url!, headers);
    expect('socket' in first).toBe(true);
    if ('socket' in first) first.socket.close();
    const replay = await openAgentSocket(t.url!, headers);
    expect('error' in replay && replay.error.message).toBe('dpop_replayed');
  });

  it('registers with connect_agent: ack shape, rooms and Online at once', async () => {
    const siteId = await insertSite(t);
    const agent = await TestAgent.create(t, { siteId });
    const changes: string[] = [];
    const listener = (e: { guid: string; status: string }) => e.guid === agent.guid && changes.push(e.status);
    t.engine.ctx.security!.deviceEvents.on('presence_changed', listener);
    const { socket, ack } = await connectAgent(t.url!, agent);
    try {
      expect(ConnectAgentAckSchema.parse(ack)).toMatchObject({ ok: true, heartbeat_interval_s: 20, signing_key_id: null });
      expect(ack.inventory_wanted).toEqual(['summary', 'cpu', 'memory', 'storage', 'network', 'software']);
      expect(changes).toEqual(['online']);
      const rooms = [...(t.engine.ctx.realtime!.io.of('/agent').sockets.values())].find((s) => (s.data as { device: { guid: string } }).device.guid === agent.guid)!.rooms;
      expect(rooms.has(`device:${agent.guid}`)).toBe(true);
      expect(rooms.has(`site:${siteId}`)).toBe(true);
      await runtime().flush();
      expect((await presenceRow(agent)).presence_node_id).toBe(runtime().nodeId);
    } finally {
      t.engine.ctx.security!.deviceEvents.off('presence_changed', listener);
      socket.close();
    }
  });

  it('P13: a socket without connect_agent is dropped (register_timeout)', async () => {
    const agent = await TestAgent.create(t);
    const outcome = await openAgentSocket(t.url!, agent.upgradeHeaders());
    if (!('socket' in outcome)) throw outcome.error;
    const closed = await disconnected(outcome.socket, 5_000);
    expect(closed).toEqual({ reason: 'io server disconnect', engineReason: 'register_timeout' });
  });

  it('P13: a second socket for the device disconnects the first (superseded)', async () => {
    const agent = await TestAgent.create(t);
    const first = await connectAgent(t.url!, agent);
    const gone = disconnected(first.socket);
    const second = await connectAgent(t.url!, agent);
    try {
      expect(await gone).toEqual({ reason: 'io server disconnect', engineReason: 'superseded' });
      expect(runtime().store.isOnline(agent.guid)).toBe(true);
      expect(second.socket.connected).toBe(true);
    } finally {
      second.socket.close();
    }
  });

  it('agent_heartbeat: acked with §4.3 fields; unknown events and malformed payloads are refused and store nothing', async () => {
    const agent = await TestAgent.create(t);
    const { socket } = await connectAgent(t.url!, agent);
    try {
      const ack = await socket.timeout(5_000).emitWithAck('agent_heartbeat', agent.heartbeat(1, { inventory_hashes: { software: 'a'.repeat(64) } }));
      expect(HeartbeatAckSchema.parse(ack)).toMatchObject({ ok: true, heartbeat_interval_s: 20, inventory_wanted: ['software'], site_id: null, site_name: null });
      expect(await socket.timeout(5_000).emitWithAck('no_such_event', {})).toEqual({ ok: false, error: { code: 'unknown_event', message: 'unknown event no_such_event' } });
      const bad = (await socket.timeout(5_000).emitWithAck('agent_heartbeat', { ...agent.heartbeat(2), seq: 'two', metrics: null })) as { ok: boolean; error: { code: string } };
      expect(bad.ok).toBe(false);
      expect(bad.error.code).toBe('validation_failed');
      const big = (await socket.timeout(5_000).emitWithAck('agent_heartbeat', agent.heartbeat(3, { logged_in_users: Array.from({ length: 64 }, (_, i) => `user-${i}-${'x'.repeat(60)}`) }))) as { error: { code: string } };
      expect(big.error.code).toBe('payload_too_large');
      const other = await TestAgent.create(t);
      const foreign = (await socket.timeout(5_000).emitWithAck('agent_heartbeat', agent.heartbeat(4, { agent_id: other.agentId }))) as { error: { code: string } };
      expect(foreign.error.code).toBe('device_mismatch');
      const notRegistered = await TestAgent.create(t);
      const raw = await openAgentSocket(t.url!, notRegistered.upgradeHeaders());
      if (!('socket' in raw)) throw raw.error;
      expect(((await raw.socket.timeout(5_000).emitWithAck('agent_heartbeat', notRegistered.heartbeat())) as { error: { code: string } }).error.code).toBe('not_registered');
      raw.socket.close();
      await runtime().flush();
      const row = await presenceRow(agent);
      expect(row.uptime_seconds).toBe('101');
      expect(row.cpu_percent).toBe(12.5);
      expect(row.logged_in_users).toEqual(['alice']);
      expect(row.internal_ip).toBe('10.0.0.5');
      expect((await presenceRow(notRegistered)).uptime_seconds).toBeNull();
    } finally {
      socket.close();
    }
  });

  it('P14: Offline 10 s after the socket is lost, and 60 s after the last heartbeat', async () => {
    const agent = await TestAgent.create(t);
    const { socket } = await connectAgent(t.url!, agent);
    socket.close();
    await until(() => t.engine.ctx.realtime!.io.of('/agent').sockets.size === 0 || ![...t.engine.ctx.realtime!.io.of('/agent').sockets.values()].some((s) => (s.data as { device: { guid: string } }).device.guid === agent.guid));
    clock.advance(9_000);
    runtime().tick();
    expect(runtime().store.isOnline(agent.guid)).toBe(true);
    clock.advance(1_000);
    runtime().tick();
    expect(runtime().store.isOnline(agent.guid)).toBe(false);
    await runtime().flush();
    expect((await presenceRow(agent)).presence_node_id).toBeNull();

    const silent = await TestAgent.create(t);
    const live = await connectAgent(t.url!, silent);
    try {
      await live.socket.timeout(5_000).emitWithAck('agent_heartbeat', silent.heartbeat(1));
      clock.advance(59_000);
      runtime().tick();
      expect(runtime().store.isOnline(silent.guid)).toBe(true);
      clock.advance(1_000);
      runtime().tick();
      expect(runtime().store.isOnline(silent.guid)).toBe(false);
      await live.socket.timeout(5_000).emitWithAck('agent_heartbeat', silent.heartbeat(2));
      expect(runtime().store.isOnline(silent.guid)).toBe(true);
    } finally {
      live.socket.close();
    }
  });

  it('P12: a trust change drops the socket within 5 s with reauth_required; a refreshed agent reconnects', async () => {
    const agent = await TestAgent.create(t);
    const { socket } = await connectAgent(t.url!, agent);
    const gone = disconnected(socket, 5_000);
    await t.engine.ctx.db.updateTable('devices').set((eb) => ({ status: 'quarantined', token_version: eb('token_version', '+', 1) })).where('guid', '=', agent.rowGuid).execute();
    t.engine.ctx.security!.deviceEvents.emit('trust_changed', { guid: agent.guid, reason: 'quarantined' });
    expect((await gone).engineReason).toBe('reauth_required');
    const stale = await openAgentSocket(t.url!, agent.upgradeHeaders());
    expect('error' in stale && stale.error.message).toBe('token_version_mismatch');
    expect((await agent.refresh()).statusCode).toBe(200);
    const again = await connectAgent(t.url!, agent);
    again.socket.close();
  });

  it('P12: a token_version bump written by another node is caught by the next flush round', async () => {
    const agent = await TestAgent.create(t);
    const { socket } = await connectAgent(t.url!, agent);
    const gone = disconnected(socket, 5_000);
    await t.engine.ctx.db.updateTable('devices').set((eb) => ({ token_version: eb('token_version', '+', 1) })).where('guid', '=', agent.rowGuid).execute();
    await runtime().flush();
    expect((await gone).engineReason).toBe('reauth_required');
  });

  it('P12: revoked → device_revoked at connect; purged → device_purged', async () => {
    const revoked = await TestAgent.create(t, { status: 'revoked' });
    const r = await openAgentSocket(t.url!, revoked.upgradeHeaders());
    expect('error' in r && r.error.message).toBe('device_revoked');
    const purged = await TestAgent.create(t);
    const db = t.engine.ctx.db;
    await db.deleteFrom('devices').where('guid', '=', purged.rowGuid).execute();
    await db.insertInto('device_purge_barriers').values({ device_guid: purged.rowGuid, required_token_version: 2, purged_at: clock.now(), purged_by_user_id: null, last_hostname: purged.hostname, last_agent_id: purged.agentId }).execute();
    const p = await openAgentSocket(t.url!, purged.upgradeHeaders());
    expect('error' in p && p.error.message).toBe('device_purged');
  });
});

describe('agent socket lifetime', () => {
  it('closes a socket older than its maximum age (24 h ± 10 %) with reauth_required', async () => {
    const t = await startTestEngine({ dialect: 'pglite', listen: true, agent: { loops: false, maxAgeMs: 1_000, shutdownGraceMs: 0 } });
    try {
      const agent = await TestAgent.create(t);
      const { socket } = await connectAgent(t.url!, agent);
      const started = Date.now();
      expect((await disconnected(socket, 5_000)).engineReason).toBe('reauth_required');
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      await t.close();
    }
  });
});

describe('agent admission and graceful stop', () => {
  it('admits the burst, paces the next second of upgrades, and answers server_busy with retry_after_ms in 5–60 s past that', async () => {
    // The engine's clock stands still: the bucket (2/s, burst 2, 1 s queue) never refills here.
    const clock = createManualClock('2026-11-26T06:00:00Z');
    const t = await startTestEngine({ dialect: 'pglite', listen: true, clock, env: { BOREALIS_AGENT_CONNECT_RATE: '2', BOREALIS_AGENT_CONNECT_QUEUE_MS: '1000' }, agent: { loops: false } });
    try {
      const agents = await Promise.all([1, 2, 3, 4, 5].map(() => TestAgent.create(t)));
      const outcomes = [];
      const took: number[] = [];
      for (const a of agents) {
        const started = Date.now();
        outcomes.push(await openAgentSocket(t.url!, a.upgradeHeaders()));
        took.push(Date.now() - started);
      }
      expect(outcomes.slice(0, 4).every((o) => 'socket' in o)).toBe(true);
      // The 3rd and 4th waited for their turn (500 and 1,000 ms at 2/s) instead of being refused.
      expect(took[2]).toBeGreaterThanOrEqual(450);
      expect(took[3]).toBeGreaterThanOrEqual(950);
      const busy = outcomes[4]!;
      expect('error' in busy && busy.error.message).toBe('server_busy');
      const retry = 'error' in busy ? busy.error.data?.retry_after_ms : undefined;
      expect(retry).toBeGreaterThanOrEqual(5_000);
      expect(retry).toBeLessThanOrEqual(60_000);
      for (const o of outcomes) if ('socket' in o) o.socket.close();
    } finally {
      await t.close();
    }
  });

  it('emits engine_shutdown, then closes and clears its presence', async () => {
    const t = await startTestEngine({ dialect: 'pglite', listen: true, agent: { loops: false, shutdownGraceMs: 300 } });
    try {
      const agent = await TestAgent.create(t);
      const { socket } = await connectAgent(t.url!, agent);
      await t.engine.ctx.agents!.flush();
      const notice = new Promise<unknown>((resolve) => socket.on('engine_shutdown', resolve));
      const gone = disconnected(socket, 5_000);
      const stopping = t.engine.ctx.agents!.stop('restart');
      expect(await notice).toEqual({ reason: 'restart', reconnect_window_ms: 10_000 });
      await gone;
      await stopping;
      const row = await t.engine.ctx.db.selectFrom('device_heartbeat_state').select('presence_node_id').where('device_guid', '=', agent.rowGuid).executeTakeFirstOrThrow();
      expect(row.presence_node_id).toBeNull();
      expect(await t.engine.ctx.db.selectFrom('engine_nodes').select('node_id').execute()).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('P13: superseded across nodes', () => {
  let postgres: TestPostgresDatabase;
  beforeAll(async () => {
    postgres = await createPostgresDatabase('agent_nodes');
  });
  afterAll(() => postgres.drop());

  it('a registration on node B disconnects the socket on node A at A’s next flush', async () => {
    const home = makeHome();
    // One cluster: one host secret (shared home) and one public URL, the `iss` and `htu` origin.
    const env = { BOREALIS_PUBLIC_URL: 'https://engine.test' };
    const a = await startTestEngine({ dialect: 'postgres', postgres, home, env, listen: true, agent: { loops: false } });
    const b = await startTestEngine({ dialect: 'postgres', postgres, home, env, listen: true, agent: { loops: false } });
    try {
      const agent = await TestAgent.create(a);
      const onA = await connectAgent(a.url!, agent);
      await a.engine.ctx.agents!.flush();
      const gone = disconnected(onA.socket, 5_000);
      await new Promise((r) => setTimeout(r, 5));
      const onB = await connectAgent(b.url!, agent);
      await b.engine.ctx.agents!.flush();
      await a.engine.ctx.agents!.flush();
      expect((await gone).engineReason).toBe('superseded');
      const row = await a.engine.ctx.db.selectFrom('device_heartbeat_state').select('presence_node_id').where('device_guid', '=', agent.rowGuid).executeTakeFirstOrThrow();
      expect(row.presence_node_id).toBe(b.engine.ctx.agents!.nodeId);
      expect(onB.socket.connected).toBe(true);
      onB.socket.close();
    } finally {
      await b.close();
      await a.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
