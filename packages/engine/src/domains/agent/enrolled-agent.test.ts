// End to end with the enrolment routes: an agent enrols (site auto-approval), then uses its tokens on
// the device side: socket registration, heartbeat ack naming its site, inventory, config, refresh.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectAgentAckSchema, HeartbeatAckSchema } from '@borealis/protocol/agent';
import { randomIp, setUpEngine, type SignedInAdmin } from '../../../test/factories';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { createTestAgent, fetchTransport } from '../../../test/enrolling-test-agent';
import { connectAgent, TestAgent } from '../../../test/test-agent';

const PUBLIC_URL = 'https://engine.test';

describe('an enrolled agent on the device side', () => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite', listen: true, env: { BOREALIS_PUBLIC_URL: PUBLIC_URL }, agent: { loops: false } });
    admin = await setUpEngine(t);
  });
  afterAll(() => t.close());

  it('enrols, registers its socket, heartbeats, uploads inventory and refreshes', async () => {
    const created = await admin.client.post('/api/sites', { name: 'Lab' });
    expect(created.statusCode).toBe(201);
    const site = created.json() as { id: number; enrollment_code: string };
    const window = await admin.client.post(`/api/sites/${site.id}/auto-approval`, { auto_approve_until: new Date(Date.now() + 3_600_000).toISOString() });
    expect(window.statusCode).toBe(200);

    const enrolling = createTestAgent({ origin: PUBLIC_URL, transport: fetchTransport(t.url!), code: site.enrollment_code, hostname: `lab-${randomIp().replaceAll('.', '-')}` });
    expect((await enrolling.request()).body).toMatchObject({ status: 'approved' });
    const poll = await enrolling.poll();
    expect(poll.body.status).toBe('approved');
    const tokens = poll.body as { guid: string; agent_id: string; access_token: string; refresh_token: string };

    const agent = TestAgent.enrolled(t, { guid: tokens.guid, hostname: enrolling.hostname, agentId: tokens.agent_id, keys: enrolling.keys, accessToken: tokens.access_token, refreshToken: tokens.refresh_token });
    const { socket, ack } = await connectAgent(t.url!, agent);
    try {
      expect(ConnectAgentAckSchema.parse(ack).ok).toBe(true);
      const beat = HeartbeatAckSchema.parse(await socket.timeout(5_000).emitWithAck('agent_heartbeat', agent.heartbeat(1)));
      expect(beat).toMatchObject({ site_id: site.id, site_name: 'Lab' });
      const cpu = { name: 'AMD EPYC', vendor: 'AuthenticAMD', sockets: 1, physical_cores: 4, logical_cores: 8, base_clock_ghz: 2.4, arch: 'x86_64' };
      const upload = await agent.call('POST', '/api/agent/details', { agent_id: agent.agentId, hostname: agent.hostname, collected_at: '2026-11-26T06:00:00Z', full: false, details: { cpu }, hashes: { cpu: 'd'.repeat(64) } });
      expect(upload.json()).toEqual({ ok: true, stored: ['cpu'], inventory_wanted: [] });
      expect((await agent.call('GET', '/api/agent/config')).statusCode).toBe(200);
      expect((await agent.refresh()).statusCode).toBe(200);
      expect((await agent.call('GET', '/api/agent/signing-keys')).statusCode).toBe(200);
      await t.engine.ctx.agents!.flush();
      const row = await t.engine.ctx.db.selectFrom('device_heartbeat_state').select(['presence_node_id', 'last_seen_at']).where('device_guid', '=', agent.rowGuid).executeTakeFirstOrThrow();
      expect(row.presence_node_id).toBe(t.engine.ctx.agents!.nodeId);
      expect(row.last_seen_at).not.toBeNull();
    } finally {
      socket.close();
    }
  });
});
