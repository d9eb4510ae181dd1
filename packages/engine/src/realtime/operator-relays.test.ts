// Device events reach browsers on /operator within their site scope: agent_status_changed (batched),
// device_inventory_changed for device:<guid> subscribers (scope-checked), approvals_changed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { OPERATOR_NAMESPACE } from '@borealis/protocol';
import { startTestEngine, type TestEngine } from '../../test/engine-harness';
import { setUpEngine, signInAs, type SignedInAdmin } from '../../test/factories';
import { connectAgent, insertSite, TestAgent } from '../../test/test-agent';

function openOperator(url: string, cookie: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(`${url}${OPERATOR_NAMESPACE}`, { transports: ['websocket'], reconnection: false, timeout: 5_000, extraHeaders: { cookie }, forceNew: true });
    socket.on('connect', () => resolve(socket));
    socket.on('connect_error', reject);
  });
}

function collect(socket: Socket, event: string): unknown[] {
  const seen: unknown[] = [];
  socket.on(event, (payload: unknown) => seen.push(payload));
  return seen;
}

const settle = (ms = 600) => new Promise((r) => setTimeout(r, ms));

describe('operator relays', () => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  let siteA: number;
  let siteB: number;
  let adminSocket: Socket;
  let scopedSocket: Socket;
  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite', listen: true, agent: { loops: false } });
    admin = await setUpEngine(t);
    siteA = await insertSite(t);
    siteB = await insertSite(t);
    const scoped = await signInAs(t, { role: 'operator', siteIds: [{ siteId: siteA }] });
    adminSocket = await openOperator(t.url!, `borealis_session=${admin.client.jar.get('borealis_session')}`);
    scopedSocket = await openOperator(t.url!, `borealis_session=${scoped.client.jar.get('borealis_session')}`);
  });
  afterAll(async () => {
    adminSocket?.close();
    scopedSocket?.close();
    await t.close();
  });

  it('relays presence as agent_status_changed within scope', async () => {
    const inA = await TestAgent.create(t, { siteId: siteA });
    const inB = await TestAgent.create(t, { siteId: siteB });
    const adminSeen = collect(adminSocket, 'agent_status_changed');
    const scopedSeen = collect(scopedSocket, 'agent_status_changed');
    const a = await connectAgent(t.url!, inA);
    await settle();
    const b = await connectAgent(t.url!, inB);
    await settle();
    a.socket.close();
    b.socket.close();
    expect(adminSeen).toEqual([
      { guid: inA.guid, hostname: inA.hostname, site_id: siteA, status: 'online', changed_at: expect.any(String) as string },
      { guid: inB.guid, hostname: inB.hostname, site_id: siteB, status: 'online', changed_at: expect.any(String) as string },
    ]);
    expect(scopedSeen).toEqual([adminSeen[0]]);
  });

  it('batches: many changes within 250 ms are one message holding an array', async () => {
    const seen = collect(adminSocket, 'agent_status_changed');
    const events = t.engine.ctx.security!.deviceEvents;
    const agents = await Promise.all([1, 2, 3].map(() => TestAgent.create(t, { siteId: siteA })));
    for (const a of agents) events.emit('presence_changed', { guid: a.guid, hostname: a.hostname, site_id: siteA, status: 'offline', changed_at: '2026-11-26T06:00:00Z' });
    await settle();
    expect(seen).toHaveLength(1);
    expect((seen[0] as unknown[]).map((c) => (c as { guid: string }).guid)).toEqual(agents.map((a) => a.guid));
  });

  it('subscribe device:<guid> is scope-checked; subscribers get device_inventory_changed', async () => {
    const inA = await TestAgent.create(t, { siteId: siteA });
    const inB = await TestAgent.create(t, { siteId: siteB });
    expect(await scopedSocket.timeout(5_000).emitWithAck('subscribe', { room: `device:${inB.guid}` })).toEqual({ ok: false, error: { code: 'not_found', message: 'No such room' } });
    expect(await scopedSocket.timeout(5_000).emitWithAck('subscribe', { room: `device:${inA.guid}` })).toEqual({ ok: true });
    expect(await scopedSocket.timeout(5_000).emitWithAck('subscribe', { room: 'device:not-a-guid' })).toMatchObject({ ok: false });
    const seen = collect(scopedSocket, 'device_inventory_changed');
    const cpu = { name: 'AMD EPYC', vendor: 'AuthenticAMD', sockets: 1, physical_cores: 4, logical_cores: 8, base_clock_ghz: 2.4, arch: 'x86_64' };
    const res = await inA.call('POST', '/api/agent/details', { agent_id: inA.agentId, hostname: inA.hostname, collected_at: '2026-11-26T06:00:00Z', full: false, details: { cpu }, hashes: { cpu: 'c'.repeat(64) } });
    expect(res.statusCode).toBe(200);
    await settle(300);
    expect(seen).toEqual([{ guid: inA.guid, sections: ['cpu'] }]);
  });

  it('relays approvals_changed to every operator', async () => {
    const adminSeen = collect(adminSocket, 'approvals_changed');
    const scopedSeen = collect(scopedSocket, 'approvals_changed');
    t.engine.ctx.security!.deviceEvents.emit('approvals_changed', { pending_count: 3 });
    await settle(300);
    expect(adminSeen).toEqual([{ pending_count: 3 }]);
    expect(scopedSeen).toEqual([{ pending_count: 3 }]);
  });
});
