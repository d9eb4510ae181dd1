// Test support for the device-trust services: a freshly migrated database of either dialect, and a
// site-less `devices` row inserted by hand.

import { randomBytes, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { sslKeyFingerprint } from '@borealis/protocol/agent';
import { createPostgresDatabase, type TestDialect } from '../../../../test/databases';
import { openDatabase, type EngineDatabase } from '../../../db/database';
import { migrateToLatest } from '../../../db/migrate';
import type { DbExecutor } from '../../audit/audit-log';

export interface TrustTestDatabase {
  readonly database: EngineDatabase;
  /** Another pool on the same PostgreSQL database; undefined on PGlite (one connection). */
  openSecond(): Promise<EngineDatabase | undefined>;
  close(): Promise<void>;
}

export async function openTrustTestDatabase(dialect: TestDialect, label: string): Promise<TrustTestDatabase> {
  const opened: EngineDatabase[] = [];
  if (dialect === 'pglite') {
    const database = await openDatabase({ kind: 'pglite', dataDir: null });
    await migrateToLatest(database, { log: pino({ level: 'silent' }) });
    return { database, openSecond: async () => undefined, close: () => database.close() };
  }
  const postgres = await createPostgresDatabase(label);
  const database = await openDatabase({ kind: 'postgres', url: postgres.url, poolSize: 25 });
  opened.push(database);
  await migrateToLatest(database, { log: pino({ level: 'silent' }) });
  return {
    database,
    async openSecond() {
      const second = await openDatabase({ kind: 'postgres', url: postgres.url, poolSize: 5 });
      opened.push(second);
      return second;
    },
    async close() {
      for (const d of opened) await d.close();
      await postgres.drop();
    },
  };
}

/** Inserts an active, site-less device; returns its upper-case GUID. */
export async function insertTestDevice(db: DbExecutor, now: Date, overrides: { readonly tokenVersion?: number } = {}): Promise<string> {
  const guid = randomUUID().toUpperCase();
  const name = `host-${randomBytes(4).toString('hex')}`;
  await db
    .insertInto('devices')
    .values({
      guid,
      display_name: name,
      hostname: name,
      fqdn: null,
      description: null,
      site_id: null,
      status_reason: null,
      status_changed_at: null,
      status_changed_by: null,
      ssl_key_fingerprint: sslKeyFingerprint(randomBytes(44)),
      token_version: overrides.tokenVersion ?? 1,
      agent_id: `${name}-agent`,
      platform: 'linux',
      arch: 'x64',
      enrolled_at: now,
      last_enrollment_at: now,
    })
    .execute();
  return guid;
}
