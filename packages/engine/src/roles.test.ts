// Each role starts only what it owns: api serves HTTP and migrates; scheduler and site-worker
// serve no HTTP, never migrate, and create only their own service directory.

import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, type TestPostgresDatabase } from '../test/databases';
import { makeHome, startTestEngine } from '../test/engine-harness';
import { SchemaError } from './db/migrate';
import { MIGRATIONS } from './db/migrations/registry';

describe('roles on one PostgreSQL database', () => {
  let postgres: TestPostgresDatabase;
  const homes: string[] = [];
  afterAll(async () => {
    await postgres?.drop();
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  });
  const home = () => {
    const h = makeHome();
    homes.push(h);
    return h;
  };

  it('a scheduler on an unmigrated database gives up with schema_not_ready and migrates nothing', async () => {
    postgres = await createPostgresDatabase('roles');
    const err = await startTestEngine({ dialect: 'postgres', postgres, home: home(), env: { BOREALIS_ROLE: 'scheduler' }, schemaWaitMs: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaError);
    expect((err as SchemaError).code).toBe('schema_not_ready');
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    const { rows } = await client.query("SELECT to_regclass('engine.kysely_migration') AS t");
    await client.end();
    expect(rows[0].t).toBeNull();
  });

  it('the api role migrates and serves HTTP; then a scheduler starts without HTTP in its own directory', async () => {
    const apiHome = home();
    const api = await startTestEngine({ dialect: 'postgres', postgres, home: apiHome, env: { BOREALIS_ROLE: 'api' } });
    try {
      const health = await api.engine.app!.inject({ method: 'GET', url: '/health' });
      expect(health.json()).toMatchObject({ status: 'ok', role: 'api' });

      const schedulerHome = home();
      const scheduler = await startTestEngine({ dialect: 'postgres', postgres, home: schedulerHome, env: { BOREALIS_ROLE: 'scheduler' }, schemaWaitMs: 5_000 });
      try {
        expect(scheduler.engine.app).toBeNull();
        expect(await scheduler.engine.listen()).toBeNull();
        expect(readdirSync(join(schedulerHome, 'Services'))).toEqual(['job-scheduler']);
        expect(existsSync(join(schedulerHome, 'Services', 'job-scheduler', 'logs', 'engine.log'))).toBe(true);
        expect(existsSync(join(schedulerHome, 'Services', 'job-scheduler', 'secrets'))).toBe(false);
        expect((await scheduler.engine.ctx.services.health.check()).role).toBe('scheduler');
      } finally {
        await scheduler.engine.stop();
      }
      const migrations = await sql<{ n: number }>`SELECT count(*)::int AS n FROM engine.kysely_migration`.execute(api.engine.ctx.db);
      expect(migrations.rows[0]?.n).toBe(Object.keys(MIGRATIONS).length);
    } finally {
      await api.engine.stop();
    }
  });

  it('a site worker runs under Services/site-worker-<id>', async () => {
    const workerHome = home();
    const worker = await startTestEngine({
      dialect: 'postgres',
      postgres,
      home: workerHome,
      env: { BOREALIS_ROLE: 'site-worker' },
      workerId: '0190c2a5-7e3b-7c1d-9a4e-5f6a7b8c9d0e',
    });
    try {
      expect(worker.engine.app).toBeNull();
      expect(readdirSync(join(workerHome, 'Services'))).toEqual(['site-worker-0190c2a5-7e3b-7c1d-9a4e-5f6a7b8c9d0e']);
    } finally {
      await worker.engine.stop();
    }
  });
});
