// GET /health names the database as the failing part and answers 503 when it cannot be reached.

import { afterAll, describe, expect, it } from 'vitest';
import { HealthSchema } from '@borealis/protocol';
import { adminQuery, createPostgresDatabase } from '../../../test/databases';
import { startTestEngine } from '../../../test/engine-harness';

describe('health when the database is down', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('answers 503 naming the database when PostgreSQL refuses connections, and 200 again once it is back', async () => {
    const postgres = await createPostgresDatabase('health');
    cleanups.push(async () => {
      await adminQuery(`ALTER DATABASE ${postgres.name} ALLOW_CONNECTIONS true`);
      await postgres.drop();
    });
    const t = await startTestEngine({ dialect: 'postgres', postgres });
    cleanups.push(() => t.engine.stop());
    const app = t.engine.app!;
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);

    await adminQuery(`ALTER DATABASE ${postgres.name} ALLOW_CONNECTIONS false`);
    await adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [postgres.name]);
    const down = await app.inject({ method: 'GET', url: '/health' });
    expect(down.statusCode).toBe(503);
    const body = HealthSchema.parse(down.json());
    expect(body.status).toBe('unavailable');
    expect(body.failing).toEqual(['database']);
    expect(body.database).toMatchObject({ status: 'unavailable', dialect: 'postgres', latency_ms: null });
    expect(down.body).not.toContain(postgres.name);

    await adminQuery(`ALTER DATABASE ${postgres.name} ALLOW_CONNECTIONS true`);
    const up = await app.inject({ method: 'GET', url: '/health' });
    expect(up.statusCode).toBe(200);
  });

  it('answers 503 when the embedded database has gone away', async () => {
    const t = await startTestEngine({ dialect: 'pglite' });
    cleanups.push(() => t.close());
    await t.engine.ctx.database.close();
    const res = await t.engine.app!.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'unavailable', failing: ['database'], database: { dialect: 'pglite' } });
  });
});
