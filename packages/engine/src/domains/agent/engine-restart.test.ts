// P11: after an engine restart that leaves Aegis locked, agents refresh, reconnect and heartbeat with
// no operator action; after a database restore that forgot their rotated tokens, they recover by reauth.

import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeartbeatAckSchema } from '@borealis/protocol/agent';
import { makeHome, startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine } from '../../../test/factories';
import { connectAgent, TestAgent } from '../../../test/test-agent';
import { hashRefreshToken } from '../devices/trust/refresh-tokens';

const AGENTS = 100;
const env = { BOREALIS_PUBLIC_URL: 'https://engine.test' };

describe('P11: engine restart without Aegis unlock', () => {
  const home = makeHome();
  let t: TestEngine;
  let agents: TestAgent[] = [];
  beforeAll(async () => {
    const first = await startTestEngine({ dialect: 'pglite', home, env, listen: true, agent: { loops: false, shutdownGraceMs: 100 } });
    await setUpEngine(first);
    agents = [];
    for (let i = 0; i < AGENTS; i++) agents.push(await TestAgent.create(first));
    const sockets = await Promise.all(agents.slice(0, 10).map((a) => connectAgent(first.url!, a)));
    for (const s of sockets) s.socket.close();
    await first.close();
    t = await startTestEngine({ dialect: 'pglite', home, env, listen: true, agent: { loops: false } });
    // The agents now talk to the restarted engine (same database, same host secret).
    for (const a of agents) a.useEngine(t);
  });
  afterAll(async () => {
    await t.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('the restarted engine is locked, yet every agent refreshes, reconnects and heartbeats', async () => {
    expect(t.engine.ctx.security!.keyring.isUnlocked).toBe(false);
    for (const a of agents) expect((await a.refresh()).statusCode).toBe(200);
    const connected = [];
    for (let i = 0; i < agents.length; i += 20) connected.push(...(await Promise.all(agents.slice(i, i + 20).map((a) => connectAgent(t.url!, a)))));
    try {
      const acks = await Promise.all(connected.map(({ socket }, i) => socket.timeout(5_000).emitWithAck('agent_heartbeat', agents[i]!.heartbeat(1))));
      for (const ack of acks) expect(HeartbeatAckSchema.parse(ack).ok).toBe(true);
      expect(agents.every((a) => t.engine.ctx.agents!.store.isOnline(a.guid))).toBe(true);
    } finally {
      for (const { socket } of connected) socket.close();
    }
  });

  it('after a restore that forgot the rotated tokens, an agent recovers through reauth without approval', async () => {
    const agent = agents[0]!;
    const db = t.engine.ctx.db;
    const backup = await db.selectFrom('refresh_tokens').selectAll().where('device_guid', '=', agent.rowGuid).execute();
    expect((await agent.refresh()).statusCode).toBe(200);
    // "Restore": the refresh-token table goes back to the backup, which never saw the new token.
    await db.deleteFrom('refresh_tokens').where('device_guid', '=', agent.rowGuid).execute();
    await db.insertInto('refresh_tokens').values(backup.map((r) => ({ ...r, parent_id: null }))).execute();
    expect(await db.selectFrom('refresh_tokens').select('id').where('token_hash', '=', hashRefreshToken(agent.refreshToken)).execute()).toEqual([]);
    const refused = await agent.refresh();
    expect(refused.json<{ error: { code: string } }>().error.code).toBe('invalid_refresh_token');
    const nonce = String(refused.headers['dpop-nonce']);
    const res = await agent.tokenCall('/api/agent/token/reauth', { guid: agent.guid }, { nonce });
    expect(res.statusCode).toBe(200);
    agent.accessToken = res.json<{ access_token: string }>().access_token;
    const { socket } = await connectAgent(t.url!, agent);
    socket.close();
  });
});
