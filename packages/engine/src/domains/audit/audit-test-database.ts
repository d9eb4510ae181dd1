// Test helper for the audit tests that need only the schema, not a whole engine: a fresh,
// migrated database of either dialect, dropped on close.

import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { createPostgresDatabase, type TestDialect } from '../../../test/databases';
import { openDatabase } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import type { Database } from '../../db/schema';

export async function openMigratedTestDatabase(dialect: TestDialect, label: string): Promise<{ db: Kysely<Database>; close(): Promise<void> }> {
  const pgdb = dialect === 'postgres' ? await createPostgresDatabase(label) : undefined;
  const database = await openDatabase(pgdb ? { kind: 'postgres', url: pgdb.url } : { kind: 'pglite', dataDir: null });
  const close = async () => {
    await database.close();
    await pgdb?.drop();
  };
  try {
    await migrateToLatest(database, { log: pino({ level: 'silent' }) });
  } catch (err) {
    await close();
    throw err;
  }
  return { db: database.db, close };
}
