// Agent REST routes besides inventory: config with ETag/304 and site overrides, the job-signing keys,
// the REST heartbeat (last_seen without presence), and heartbeat coalescing (one UPDATE per flush).

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { AgentConfigSchema, HeartbeatAckSchema, type Heartbeat } from '@borealis/protocol/agent';
import { createManualClock } from '../../clock';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { insertSite, TestAgent } from '../../../test/test-agent';

describe.each(DIALECTS)('agent REST routes and heartbeat coalescing (%s)', (dialect) => {
  const clock = createManualClock('2026-11-26T06:00:00Z');
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine({ dialect, clock, agent: { loops: false } });
  });
  afterAll(() => t.close());
  const db = () => t.engine.ctx.db;
  const runtime = () => t.engine.ctx.agents!;

  it('GET /api/agent/config answers with an ETag, 304 for the same revision, and merges site overrides', async () => {
    const siteId = await insertSite(t);
    const agent = await TestAgent.create(t, { siteId });
    const res = await agent.call('GET', '/api/agent/config');
    expect(res.statusCode).toBe(200);
    const config = AgentConfigSchema.parse(res.json());
    expect(config).toMatchObject({ heartbeat_interval_s: 20, heartbeat_jitter_s: 5, inventory_check_interval_s: 300, max_concurrent_jobs: 4, log_level: 'info', signing_keys: [] });
    expect(res.headers.etag).toBe(`"${config.revision}"`);
    const same = await agent.call('GET', '/api/agent/config', undefined, { headers: { 'if-none-match': `"${config.revision}"` } });
    expect(same.statusCode).toBe(304);
    expect(same.body).toBe('');
    await db().updateTable('sites').set({ agent_config: JSON.stringify({ heartbeat_interval_s: 60, log_level: 'debug', bogus: 1 }) }).where('id', '=', siteId).execute();
    const changed = await agent.call('GET', '/api/agent/config', undefined, { headers: { 'if-none-match': `"${config.revision}"` } });
    expect(changed.statusCode).toBe(200);
    const next = AgentConfigSchema.parse(changed.json());
    expect(next).toMatchObject({ heartbeat_interval_s: 60, log_level: 'debug' });
    expect(next.revision).not.toBe(config.revision);
    // A broken override is ignored rather than breaking the document; the ack clamps the interval.
    await db().updateTable('devices').set({ agent_config: JSON.stringify({ log_level: 'verbose' }) }).where('guid', '=', agent.rowGuid).execute();
    await db().updateTable('sites').set({ agent_config: JSON.stringify({ heartbeat_interval_s: 600 }) }).where('id', '=', siteId).execute();
    const guarded = AgentConfigSchema.parse((await agent.call('GET', '/api/agent/config')).json());
    expect(guarded).toMatchObject({ heartbeat_interval_s: 600, log_level: 'info' });
    const ack = await agent.call('POST', '/api/agent/heartbeat', agent.heartbeat(1));
    expect(ack.json<{ heartbeat_interval_s: number }>().heartbeat_interval_s).toBe(120);
  });

  it('GET /api/agent/signing-keys lists the active and retiring job-signing keys', async () => {
    const agent = await TestAgent.create(t);
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), randomBytes(32)]);
    await db().insertInto('signing_keys').values({ key_id: '0123456789abcdef', public_key_spki: spki, private_key_enc: null, state: 'active', previous_key_id: null, rotation_signature: null, created_at: clock.now() }).execute();
    const res = await agent.call('GET', '/api/agent/signing-keys');
    expect(res.json()).toEqual({ keys: [{ key_id: '0123456789abcdef', public_key_spki: spki.toString('base64'), state: 'active', previous_key_id: null, rotation_signature: null, created_at: '2026-11-26T06:00:00Z' }] });
    const config = AgentConfigSchema.parse((await agent.call('GET', '/api/agent/config')).json());
    expect(config.signing_keys).toEqual([{ key_id: '0123456789abcdef', public_key_spki: spki.toString('base64') }]);
    await db().deleteFrom('signing_keys').execute();
  });

  it('POST /api/agent/heartbeat answers the ack and updates last_seen, not presence', async () => {
    const agent = await TestAgent.create(t);
    const res = await agent.call('POST', '/api/agent/heartbeat', agent.heartbeat(1));
    expect(res.statusCode).toBe(200);
    expect(HeartbeatAckSchema.parse(res.json())).toMatchObject({ ok: true, server_time: '2026-11-26T06:00:00Z', heartbeat_interval_s: 20, inventory_wanted: [] });
    expect(runtime().store.isOnline(agent.guid)).toBe(false);
    await runtime().flush();
    const row = await db().selectFrom('device_heartbeat_state').select(['last_seen_at', 'presence_node_id', 'agent_version', 'boot_id']).where('device_guid', '=', agent.rowGuid).executeTakeFirstOrThrow();
    expect(row.last_seen_at?.toISOString()).toBe('2026-11-26T06:00:00.000Z');
    expect(row.presence_node_id).toBeNull();
    expect(row.boot_id).toBe('6b0e5d4e-3f7b-4c2a-9a8e-1d2c3b4a5f60');
    const bad = await agent.call('POST', '/api/agent/heartbeat', { ...agent.heartbeat(2), metrics: { cpu_percent: 'high' } });
    expect(bad.statusCode).toBe(422);
    const big = await agent.call('POST', '/api/agent/heartbeat', agent.heartbeat(3, { logged_in_users: Array.from({ length: 64 }, (_, i) => `user-${i}-${'x'.repeat(60)}`) }));
    expect([big.statusCode, big.json<{ error: { code: string } }>().error.code]).toEqual([413, 'payload_too_large']);
  });

  it('coalesces: many beats of many devices are one UPDATE per flush, unchanged beats write nothing', async () => {
    await runtime().flush();
    const agents = await Promise.all(Array.from({ length: 25 }, () => TestAgent.create(t)));
    const store = runtime().store;
    const beat = (a: TestAgent, seq: number, overrides: Partial<Heartbeat> = {}) => ({ ...(a.heartbeat(seq) as Heartbeat), ...overrides });
    for (let seq = 1; seq <= 4; seq++) {
      for (const a of agents) store.heartbeat({ guid: a.guid, rowGuid: a.rowGuid, hostname: a.hostname, siteId: null }, beat(a, seq, { metrics: { ...beat(a, seq).metrics, cpu_percent: seq * 10 } }), { viaSocket: false, intervalS: 20 });
    }
    expect(await runtime().flush()).toEqual({ statements: 1, rows: 25 });
    const rows = await db().selectFrom('device_heartbeat_state').select(['cpu_percent', 'uptime_seconds']).where('device_guid', 'in', agents.map((a) => a.rowGuid)).execute();
    expect(new Set(rows.map((r) => `${r.cpu_percent}/${r.uptime_seconds}`))).toEqual(new Set(['40/104']));

    // Gauges alone within 60 s are not a reason to write; a moved last_seen (≥60 s) or a new boot is.
    clock.advance(20_000);
    for (const a of agents) store.heartbeat({ guid: a.guid, rowGuid: a.rowGuid, hostname: a.hostname, siteId: null }, beat(a, 5), { viaSocket: false, intervalS: 20 });
    expect(await runtime().flush()).toEqual({ statements: 0, rows: 0 });
    const first = agents[0]!;
    store.heartbeat({ guid: first.guid, rowGuid: first.rowGuid, hostname: first.hostname, siteId: null }, beat(first, 6, { boot_id: '11111111-2222-4333-8444-555555555555' }), { viaSocket: false, intervalS: 20 });
    expect(await runtime().flush()).toEqual({ statements: 1, rows: 1 });
    clock.advance(40_000);
    for (const a of agents) store.heartbeat({ guid: a.guid, rowGuid: a.rowGuid, hostname: a.hostname, siteId: null }, beat(a, 7), { viaSocket: false, intervalS: 20 });
    expect(await runtime().flush()).toEqual({ statements: 1, rows: 25 });
  });

  it('a failed flush keeps its entries dirty for the next one', async () => {
    await runtime().flush();
    const agent = await TestAgent.create(t);
    runtime().store.heartbeat({ guid: agent.guid, rowGuid: agent.rowGuid, hostname: agent.hostname, siteId: null }, agent.heartbeat(1) as Heartbeat, { viaSocket: false, intervalS: 20 });
    // A real failure: the table is briefly unavailable under its name.
    await sql`ALTER TABLE device_heartbeat_state RENAME TO device_heartbeat_state_away`.execute(db());
    try {
      await expect(runtime().flush()).rejects.toThrow();
    } finally {
      await sql`ALTER TABLE device_heartbeat_state_away RENAME TO device_heartbeat_state`.execute(db());
    }
    expect(await runtime().flush()).toEqual({ statements: 1, rows: 1 });
    const row = await db().selectFrom('device_heartbeat_state').select('uptime_seconds').where('device_guid', '=', agent.rowGuid).executeTakeFirstOrThrow();
    expect(row.uptime_seconds).toBe('101');
  });

  it('a dead node’s presence is cleared by the sweep and its row removed', async () => {
    const agent = await TestAgent.create(t);
    await db().insertInto('engine_nodes').values({ node_id: 'api-dead', role: 'api', host: 'x', pid: 1, version: '0', started_at: clock.now(), last_seen_at: clock.now() }).execute();
    await db().updateTable('device_heartbeat_state').set({ presence_node_id: 'api-dead', presence_changed_at: clock.now() }).where('device_guid', '=', agent.rowGuid).execute();
    clock.advance(31_000);
    await runtime().flush();
    const row = await db().selectFrom('device_heartbeat_state').select('presence_node_id').where('device_guid', '=', agent.rowGuid).executeTakeFirstOrThrow();
    expect(row.presence_node_id).toBeNull();
    expect((await db().selectFrom('engine_nodes').select('node_id').execute()).map((n) => n.node_id)).toEqual([runtime().nodeId]);
  });
});
