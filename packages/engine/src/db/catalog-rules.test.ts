// Catalog rules of data-model.md checked on a migrated database: DM9 (site_id leads an index),
// DM10 (secret-looking columns are envelopes, seals or hashes; _enc columns match the registry),
// DM22 (timestamptz only, no integer *_at, no enum types).

import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTECTED_COLUMNS } from '../domains/aegis/protected-columns';
import { openDatabase, type EngineDatabase } from './database';
import { migrateToLatest } from './migrate';

const NON_SECRETS = new Set([
  'password_changed_at',
  'password_change_required',
  'secret_state',
  'lost_secret_fields',
  'token_version',
  'required_token_version',
  'verification_token',
]);

describe('catalog rules', () => {
  let database: EngineDatabase;
  let columns: Array<{ table_name: string; column_name: string; data_type: string }>;
  beforeAll(async () => {
    database = await openDatabase({ kind: 'pglite', dataDir: null });
    await migrateToLatest(database, { log: pino({ level: 'silent' }) });
    columns = (
      await sql<{ table_name: string; column_name: string; data_type: string }>`
        SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'engine' AND table_name NOT LIKE 'kysely_%'`.execute(database.db)
    ).rows;
  });
  afterAll(() => database.close());

  it('DM9: every table with a site_id has a non-partial index that starts with site_id', async () => {
    const tables = [...new Set(columns.filter((c) => c.column_name === 'site_id').map((c) => c.table_name))];
    expect(tables.length).toBeGreaterThan(0);
    const { rows } = await sql<{ tablename: string; indexdef: string }>`SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'engine'`.execute(database.db);
    for (const table of tables) {
      const leading = rows.filter((r) => r.tablename === table && /\(site_id[,)]/.test(r.indexdef) && !/ WHERE /.test(r.indexdef));
      expect(leading.length, table).toBeGreaterThan(0);
    }
  });

  it('DM10: secret-looking columns end in _enc, _sealed or _hash, and the _enc columns are the protected registry', () => {
    for (const c of columns) {
      if (!/password|secret|private_key|token/.test(c.column_name) || NON_SECRETS.has(c.column_name)) continue;
      expect(c.column_name, `${c.table_name}.${c.column_name}`).toMatch(/_(enc|sealed|hash)$/);
    }
    const enc = columns.filter((c) => c.column_name.endsWith('_enc')).map((c) => `${c.table_name}.${c.column_name}`).sort();
    expect(enc).toEqual(PROTECTED_COLUMNS.map((p) => `${p.table}.${p.column}`).sort());
  });

  it('DM22: times are timestamptz, no integer column is named *_at, and there are no enum types', async () => {
    for (const c of columns) {
      expect(c.data_type, `${c.table_name}.${c.column_name}`).not.toBe('timestamp without time zone');
      if (c.column_name.endsWith('_at') || c.column_name === 'at') expect(c.data_type, `${c.table_name}.${c.column_name}`).toBe('timestamp with time zone');
    }
    const enums = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'e' AND n.nspname = 'engine'`.execute(database.db);
    expect(enums.rows[0]?.n).toBe(0);
  });
});
