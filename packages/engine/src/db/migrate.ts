// Forward-only migrations at start, under the one advisory lock every engine agrees on, so
// several engines starting together against one database all come up (data-model.md §2).

import { sql, type Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Logger } from 'pino';
import type { EngineDatabase } from './database';
import type { Database } from './schema';
import { LATEST_MIGRATION, MIGRATIONS } from './migrations/registry';

/** The ASCII bytes "Borealis" as a bigint. */
export const MIGRATION_LOCK_KEY = '4787170708669884787';
export const MIGRATION_TABLE = 'kysely_migration';

export type SchemaErrorCode = 'schema_newer_than_engine' | 'schema_not_ready' | 'migration_lock_timeout' | 'migration_failed';

export class SchemaError extends Error {
  constructor(readonly code: SchemaErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'SchemaError';
  }
}

export interface MigrateResult {
  readonly applied: readonly string[];
  readonly latest: string;
}

export async function migrateToLatest(
  edb: EngineDatabase,
  deps: { log: Logger; lockTimeoutMs?: number },
): Promise<MigrateResult> {
  const lockTimeoutMs = deps.lockTimeoutMs ?? 120_000;
  return edb.db.connection().execute(async (conn) => {
    await acquireLock(conn, lockTimeoutMs);
    try {
      await sql`SELECT set_config('borealis.dialect', ${edb.dialect}, false)`.execute(conn);
      await sql`CREATE SCHEMA IF NOT EXISTS engine`.execute(conn);
      await assertKnownMigrations(conn);
      const migrator = new Migrator({
        db: conn,
        provider: { getMigrations: async () => ({ ...MIGRATIONS }) },
        migrationTableSchema: 'engine',
        allowUnorderedMigrations: false,
      });
      const { error, results } = await migrator.migrateToLatest();
      if (error) {
        const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
        deps.log.error({ err: error, migration: failed }, 'migration failed');
        throw new SchemaError('migration_failed', `migration ${failed} failed`);
      }
      const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
      if (applied.length) deps.log.info({ applied }, 'migrations applied');
      return { applied, latest: LATEST_MIGRATION };
    } finally {
      await sql`SELECT pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_KEY)}::bigint)`.execute(conn);
    }
  });
}

async function acquireLock(conn: Kysely<Database>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_lock(${sql.lit(MIGRATION_LOCK_KEY)}::bigint) AS locked`.execute(conn);
    if (rows[0]?.locked) return;
    if (Date.now() >= deadline) {
      throw new SchemaError('migration_lock_timeout', `another engine held the migration lock for over ${Math.round(timeoutMs / 1000)} s`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Names recorded in kysely_migration, oldest first; empty when the table does not exist yet. */
export async function appliedMigrations(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ present: boolean }>`SELECT to_regclass('engine.kysely_migration') IS NOT NULL AS present`.execute(db);
  if (!rows[0]?.present) return [];
  const result = await sql<{ name: string }>`SELECT name FROM engine.kysely_migration ORDER BY name`.execute(db);
  return result.rows.map((r) => r.name);
}

async function assertKnownMigrations(db: Kysely<Database>): Promise<void> {
  const unknown = (await appliedMigrations(db)).filter((name) => !(name in MIGRATIONS));
  if (unknown.length) {
    throw new SchemaError(
      'schema_newer_than_engine',
      `the database holds migration ${unknown.join(', ')} that this engine does not know; upgrade the engine`,
    );
  }
}

/**
 * Roles that never migrate (scheduler, site-worker) wait here until the api role has brought the
 * schema to the newest migration this code knows.
 */
export async function waitForSchema(
  edb: EngineDatabase,
  options: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const intervalMs = options.intervalMs ?? 2_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await assertKnownMigrations(edb.db);
    const applied = await appliedMigrations(edb.db);
    if (applied.includes(LATEST_MIGRATION)) return LATEST_MIGRATION;
    if (Date.now() + intervalMs > deadline || options.signal?.aborted) {
      throw new SchemaError('schema_not_ready', `the schema did not reach ${LATEST_MIGRATION} within ${Math.round(timeoutMs / 1000)} s; start an api engine first`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
