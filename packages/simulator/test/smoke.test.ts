// Smoke run of the fleet simulator against a real engine (issue 8): 200 virtual agents over TLS enrol
// with an auto-approving code, come online, get heartbeats acked and inventory stored, and all come
// back after an engine restart. Correctness only, never timings.

import { createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHome, startTestEngine, type TestEngine } from '@borealis/engine/testing';
import { setUpEngine } from '@borealis/engine/testing/factories';
import { Fleet } from '../src/fleet';

const AGENTS = 200;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

describe('fleet simulator smoke (200 agents, real engine, TLS)', () => {
  const home = makeHome();
  let port = 0;
  let env: Record<string, string> = {};
  let t: TestEngine;
  let fleet: Fleet;

  const start = () => startTestEngine({ dialect: 'pglite', home, listen: true, env });

  beforeAll(async () => {
    port = await freePort();
    // Loopback addresses are exempt from the per-address enrolment limits (agent-protocol §10).
    env = { BOREALIS_TLS: 'on', BOREALIS_PORT: String(port), BOREALIS_PUBLIC_URL: `https://127.0.0.1:${port}`, BOREALIS_ENROLL_RATE_EXEMPT_CIDRS: '127.0.0.0/8', BOREALIS_LOG_LEVEL: 'warn' };
    t = await start();
    const admin = await setUpEngine(t);
    const site = await admin.client.post('/api/sites', { name: 'Simulated' });
    expect(site.statusCode).toBe(201);
    const { id, enrollment_code } = site.json() as { id: number; enrollment_code: string };
    const window = await admin.client.post(`/api/sites/${id}/auto-approval`, { auto_approve_until: new Date(Date.now() + 3600_000).toISOString() });
    expect(window.statusCode).toBe(200);
    fleet = new Fleet({ server: `https://127.0.0.1:${port}`, agents: AGENTS, enrollmentCode: enrollment_code, caPem: t.engine.ctx.agentTrust!.caPem ?? undefined, rampPerSecond: 0, firstInventoryCheckMaxMs: 600_000 });
  });

  afterAll(async () => {
    fleet?.stop();
    await t?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('every agent enrols, comes online, has heartbeats acked and its inventory stored', async () => {
    await fleet.start();
    await fleet.waitFor(() => fleet.online() === AGENTS, 120_000, 'all agents online');
    await fleet.waitFor(() => fleet.agents.every((a) => a.heartbeatsAcked > 0 && Object.keys(a.uploadedHashes).length === 6), 30_000, 'heartbeats and inventory');

    const db = t.engine.ctx.db;
    const devices = await db.selectFrom('devices').select(['guid', 'hostname']).execute();
    expect(devices).toHaveLength(AGENTS);
    expect(new Set(devices.map((d) => d.hostname))).toEqual(new Set(fleet.agents.map((a) => a.host.hostname)));
    expect(fleet.agents.every((a) => t.engine.ctx.agents!.store.isOnline(a.guid))).toBe(true);

    const rows = await db.selectFrom('device_inventory').select(['device_guid', 'section', 'hash']).execute();
    const stored = new Map(rows.map((r) => [`${r.device_guid.toUpperCase()}/${r.section}`, Buffer.isBuffer(r.hash) ? r.hash.toString('hex') : String(r.hash)]));
    for (const agent of fleet.agents) {
      for (const [section, hash] of Object.entries(agent.uploadedHashes)) expect(stored.get(`${agent.guid}/${section}`)).toBe(hash);
    }
    expect(fleet.counter('enroll_failed')).toBe(0);
  }, 150_000);

  it('after an engine restart every agent reconnects, re-registers and has a heartbeat acked', async () => {
    const before = new Map(fleet.agents.map((a) => [a, a.heartbeatsAcked]));
    await t.engine.stop();
    const restartedAt = Date.now();
    t = await start();
    await fleet.waitFor(() => fleet.agents.every((a) => a.registeredSince(restartedAt)), 90_000, 'all agents back online');
    await fleet.waitFor(() => fleet.agents.every((a) => a.heartbeatsAcked > before.get(a)!), 30_000, 'a heartbeat acked by the restarted engine');
    expect(fleet.agents.every((a) => t.engine.ctx.agents!.store.isOnline(a.guid))).toBe(true);
    expect(fleet.counter('engine_disconnect_reauth_required') + fleet.counter('device_revoked') + fleet.counter('enroll_failed')).toBe(0);
  }, 150_000);
});
