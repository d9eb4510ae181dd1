// Test databases: every database test runs on embedded PGlite and on the PostgreSQL server at
// 127.0.0.1:5432, each test file in a database of its own that is dropped afterwards.

import { randomBytes } from 'node:crypto';
import pg from 'pg';

export type TestDialect = 'pglite' | 'postgres';
export const DIALECTS: readonly TestDialect[] = ['pglite', 'postgres'];

/** Admin connection: trust auth, database `test` (DEVELOPERS.md). */
export const POSTGRES_ADMIN_URL = process.env.BOREALIS_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestPostgresDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

export async function createPostgresDatabase(label: string): Promise<TestPostgresDatabase> {
  const name = `borealis_t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase().slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

export async function adminQuery(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}
