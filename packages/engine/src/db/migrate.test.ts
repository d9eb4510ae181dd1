// Migrations and the schema on both dialects: same catalog, frozen files, the advisory lock
// under concurrent starts, refusing a newer schema, and data surviving a restart.

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, DIALECTS, type TestPostgresDatabase } from '../../test/databases';
import { makeHome, startTestEngine } from '../../test/engine-harness';
import { dumpCatalog, type CatalogDump } from './catalog-dump';
import { openDatabase, type EngineDatabase } from './database';
import { migrateToLatest, SchemaError, waitForSchema } from './migrate';
import { hashMigration, migrationFiles, MIGRATIONS_DIR, readLock, SNAPSHOT_FILE } from './migrations-lock';
import { MIGRATIONS } from './migrations/registry';

const quiet = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function freshDatabase(dialect: (typeof DIALECTS)[number], label: string): Promise<EngineDatabase> {
  if (dialect === 'pglite') {
    const database = await openDatabase({ kind: 'pglite', dataDir: null });
    cleanups.push(() => database.close());
    return database;
  }
  const pgdb = await createPostgresDatabase(label);
  const database = await openDatabase({ kind: 'postgres', url: pgdb.url });
  cleanups.push(async () => {
    await database.close();
    await pgdb.drop();
  });
  return database;
}

describe('migration files (DM2)', () => {
  it('lists every migration file in the registry, in order', () => {
    expect(Object.keys(MIGRATIONS)).toEqual(migrationFiles());
  });

  it('keeps every released migration byte for byte as locked', () => {
    const lock = readLock();
    expect(Object.keys(lock).sort()).toEqual(migrationFiles());
    for (const name of migrationFiles()) expect(hashMigration(name), `${name} changed after release`).toBe(lock[name]);
  });

  it('has no down migrations', () => {
    for (const [name, migration] of Object.entries(MIGRATIONS)) {
      expect(migration.down, name).toBeUndefined();
      expect(readFileSync(join(MIGRATIONS_DIR, `${name}.ts`), 'utf8')).not.toMatch(/export\s+(async\s+)?function\s+down/);
    }
  });
});

describe('schema catalog (DM1)', () => {
  const dumps: Partial<Record<string, CatalogDump>> = {};
  for (const dialect of DIALECTS) {
    it(`migrates a fresh ${dialect} database to the committed snapshot`, async () => {
      const database = await freshDatabase(dialect, 'dm1');
      const result = await migrateToLatest(database, { log: quiet });
      expect(result.applied).toEqual(migrationFiles());
      dumps[dialect] = await dumpCatalog(database.db);
      const snapshot = JSON.parse(readFileSync(SNAPSHOT_FILE, 'utf8')) as CatalogDump;
      if (dialect === 'postgres') snapshot.tables = snapshot.tables.map((t) => (t.name === 'dpop_replay' ? { ...t, persistence: 'u' } : t));
      expect(dumps[dialect]).toEqual(snapshot);
    });
  }

  it('builds the same catalog on PGlite and PostgreSQL, apart from dpop_replay being UNLOGGED on PostgreSQL (DM13)', () => {
    expect(dumps.pglite).toBeDefined();
    const persistence = (dump: CatalogDump | undefined) => dump?.tables.find((t) => t.name === 'dpop_replay')?.persistence;
    expect(persistence(dumps.postgres)).toBe('u');
    expect(persistence(dumps.pglite)).toBe('p');
    // The one allowed difference (data-model.md DM1), written here and nowhere else.
    const normalised = structuredClone(dumps.postgres)!;
    normalised.tables = normalised.tables.map((t) => (t.name === 'dpop_replay' ? { ...t, persistence: 'p' } : t));
    expect(dumps.pglite).toEqual(normalised);
  });
});

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  it('applies nothing the second time', async () => {
    const database = await freshDatabase(dialect, 'twice');
    await migrateToLatest(database, { log: quiet });
    expect((await migrateToLatest(database, { log: quiet })).applied).toEqual([]);
  });

  it('refuses a database that holds a migration this engine does not know (DM4)', async () => {
    const database = await freshDatabase(dialect, 'newer');
    await migrateToLatest(database, { log: quiet });
    await sql`INSERT INTO engine.kysely_migration (name, timestamp) VALUES ('9999-from-the-future', now()::text)`.execute(database.db);
    const err = await migrateToLatest(database, { log: quiet }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaError);
    expect((err as SchemaError).code).toBe('schema_newer_than_engine');
    expect((err as SchemaError).message).toContain('9999-from-the-future');
  });

  it('lets a non-migrating role give up with schema_not_ready on an unmigrated database (DM4)', async () => {
    const database = await freshDatabase(dialect, 'notready');
    const err = await waitForSchema(database, { timeoutMs: 300, intervalMs: 100 }).catch((e: unknown) => e);
    expect((err as SchemaError).code).toBe('schema_not_ready');
  });

  it('keeps data across an engine restart', async () => {
    const home = makeHome();
    const postgres: TestPostgresDatabase | undefined = dialect === 'postgres' ? await createPostgresDatabase('restart') : undefined;
    if (postgres) cleanups.push(() => postgres.drop());
    const first = await startTestEngine({ dialect, home, postgres });
    await first.engine.ctx.db
      .insertInto('server_settings')
      .values({ key: 'timezone', value: JSON.stringify('Europe/Oslo') })
      .execute();
    await first.engine.stop();

    const second = await startTestEngine({ dialect, home, postgres });
    try {
      const row = await second.engine.ctx.db.selectFrom('server_settings').selectAll().where('key', '=', 'timezone').executeTakeFirstOrThrow();
      expect(row.value).toBe('Europe/Oslo');
      const migrations = await sql<{ n: number }>`SELECT count(*)::int AS n FROM engine.kysely_migration`.execute(second.engine.ctx.db);
      expect(migrations.rows[0]?.n).toBe(migrationFiles().length);
    } finally {
      await second.close();
    }
  });
});

describe('concurrent start on PostgreSQL (DM3)', () => {
  it('three engines started together on one fresh database all come up healthy, migrating once', async () => {
    const postgres = await createPostgresDatabase('dm3');
    cleanups.push(() => postgres.drop());
    // Nodes of one installation share the host secret file (security.md §8.2): it seals the device-token key.
    const secretHome = makeHome();
    cleanups.push(async () => rmSync(secretHome, { recursive: true, force: true }));
    const env = { BOREALIS_HOST_SECRET_FILE: join(secretHome, 'engine_secret.txt') };
    const engines = await Promise.all([0, 1, 2].map(() => startTestEngine({ dialect: 'postgres', postgres, env })));
    try {
      for (const t of engines) {
        const res = await t.engine.app!.inject({ method: 'GET', url: '/health' });
        expect(res.statusCode).toBe(200);
        expect(res.json().database).toMatchObject({ status: 'ok', dialect: 'postgres' });
      }
      const rows = await sql<{ name: string; n: number }>`SELECT name, count(*)::int AS n FROM engine.kysely_migration GROUP BY name ORDER BY name`.execute(engines[0]!.engine.ctx.db);
      expect(rows.rows).toEqual(migrationFiles().map((name) => ({ name, n: 1 })));
    } finally {
      await Promise.all(engines.map((t) => t.close()));
    }
  });
});
