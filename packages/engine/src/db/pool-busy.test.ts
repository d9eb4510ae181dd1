// An exhausted PostgreSQL pool answers 503 `server_busy` with Retry-After in the api.md envelope,
// not 500, and connect_agent answers `server_busy` with a retry delay: a one-connection pool is held
// by the test while a request or event waits past the acquire timeout.

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '@borealis/engine/testing';
import { setUpEngine, type SignedInAdmin } from '@borealis/engine/testing/factories';
import { openAgentSocket, TestAgent } from '../../test/test-agent';

describe('PostgreSQL pool exhaustion', () => {
  let t: TestEngine;
  let admin: SignedInAdmin;

  beforeAll(async () => {
    t = await startTestEngine({
      dialect: 'postgres',
      env: { BOREALIS_DATABASE_POOL_SIZE: '1', BOREALIS_DATABASE_ACQUIRE_TIMEOUT_MS: '1000' },
      agent: { loops: false },
    });
    admin = await setUpEngine(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 503 server_busy with Retry-After while every connection stays checked out, and serves again once one is free', async () => {
    const res = await t.engine.ctx.db.connection().execute(async (held) => {
      await sql`SELECT 1`.execute(held);
      // The only connection is ours until this callback returns; the request queues past its timeout.
      return admin.client.get('/api/sites');
    });
    expect(res.statusCode, res.body).toBe(503);
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(5);
    const body = res.json() as { error: { code: string; message: string; retry_after: number; request_id: string } };
    expect(body.error).toMatchObject({ code: 'server_busy', retry_after: retryAfter });
    expect(body.error.request_id).toBe(res.headers['x-request-id']);
    expect(body.error.message).not.toMatch(/timeout exceeded/);

    const after = await admin.client.get('/api/sites');
    expect(after.statusCode, after.body).toBe(200);
  });
});

describe('PostgreSQL pool exhaustion on the /agent namespace', () => {
  let t: TestEngine;

  beforeAll(async () => {
    t = await startTestEngine({
      dialect: 'postgres',
      listen: true,
      env: { BOREALIS_DATABASE_POOL_SIZE: '1', BOREALIS_DATABASE_ACQUIRE_TIMEOUT_MS: '1000' },
      agent: { loops: false, registerTimeoutMs: 8_000 },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('connect_agent answers server_busy with retry_after_ms (U(5 s, 15 s)) instead of internal_error, and registers once a connection is free', async () => {
    const agent = await TestAgent.create(t);
    const opened = await openAgentSocket(t.url!, agent.upgradeHeaders());
    if (!('socket' in opened)) throw opened.error;
    try {
      const refused = (await t.engine.ctx.db.connection().execute(async (held) => {
        await sql`SELECT 1`.execute(held);
        return opened.socket.timeout(5_000).emitWithAck('connect_agent', agent.connectPayload());
      })) as { ok: boolean; error?: { code: string; message: string; retry_after_ms?: number } };
      expect(refused.ok).toBe(false);
      expect(refused.error?.code).toBe('server_busy');
      expect(refused.error?.retry_after_ms).toBeGreaterThanOrEqual(5_000);
      expect(refused.error?.retry_after_ms).toBeLessThanOrEqual(15_000);
      expect(refused.error?.message).not.toMatch(/timeout exceeded|stack/i);

      const ack = (await opened.socket.timeout(5_000).emitWithAck('connect_agent', agent.connectPayload())) as { ok: boolean };
      expect(ack.ok).toBe(true);
    } finally {
      opened.socket.close();
    }
  });
});
