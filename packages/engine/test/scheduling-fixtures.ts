// Rows for scheduler tests: migrated databases on either dialect, sites, devices (online or not),
// an assembly with a revision, and scheduled jobs inserted as the API would store them.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { openDatabase, type EngineDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import type { Database } from '../src/db/schema';
import { createPostgresDatabase, type TestDialect, type TestPostgresDatabase } from './databases';

export const quietLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface SchedulingDb {
  readonly database: EngineDatabase;
  readonly db: Kysely<Database>;
  readonly postgres: TestPostgresDatabase | null;
  /** Another connection pool on the same database (PostgreSQL only). */
  openAnother(): Promise<EngineDatabase>;
  close(): Promise<void>;
}

export async function openSchedulingDb(dialect: TestDialect, label: string): Promise<SchedulingDb> {
  const postgres = dialect === 'postgres' ? await createPostgresDatabase(label) : null;
  const database = await openDatabase(postgres ? { kind: 'postgres', url: postgres.url } : { kind: 'pglite', dataDir: null });
  await migrateToLatest(database, { log: quietLog });
  const others: EngineDatabase[] = [];
  return {
    database,
    db: database.db,
    postgres,
    async openAnother() {
      if (!postgres) throw new Error('PGlite has one connection');
      const other = await openDatabase({ kind: 'postgres', url: postgres.url });
      others.push(other);
      return other;
    },
    async close() {
      for (const o of others) await o.close();
      await database.close();
      await postgres?.drop();
    },
  };
}

export async function insertSite(db: Kysely<Database>, name = `site-${randomBytes(3).toString('hex')}`): Promise<number> {
  const row = await db.insertInto('sites').values({ name, enrollment_code_hash: randomBytes(32) }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function insertDevice(db: Kysely<Database>, o: { hostname?: string; siteId?: number | null; online?: boolean; status?: 'active' | 'quarantined' } = {}): Promise<{ guid: string; hostname: string }> {
  const guid = randomUUID();
  const hostname = o.hostname ?? `host-${guid.slice(0, 8)}`;
  await db
    .insertInto('devices')
    .values({
      guid,
      display_name: hostname,
      hostname,
      site_id: o.siteId ?? null,
      status: o.status ?? 'active',
      ssl_key_fingerprint: randomBytes(16).toString('hex'),
      agent_id: randomUUID(),
      platform: 'linux',
      arch: 'x64',
      enrolled_at: new Date(),
      last_enrollment_at: new Date(),
    } as never)
    .execute();
  if (o.online) await db.insertInto('device_heartbeat_state').values({ device_guid: guid, presence_node_id: 'node-test', last_seen_at: new Date() } as never).execute();
  return { guid, hostname };
}

export async function insertAssembly(db: Kysely<Database>, name = 'Disk usage'): Promise<string> {
  const guid = randomUUID();
  const payload = { name, script: 'df -h' };
  const hash = createHash('sha256').update(JSON.stringify(payload)).digest();
  await db
    .insertInto('assemblies')
    .values({ assembly_guid: guid, assembly_type: 'script', assembly_subtype: 'bash', display_name: name, domain: 'user', revision: 1, content_hash: hash, platforms: ['linux'] } as never)
    .execute();
  await db.insertInto('assembly_revisions').values({ assembly_guid: guid, revision: 1, payload: JSON.stringify(payload), content_hash: hash, script_bytes: 5 } as never).execute();
  return guid;
}

export async function insertJob(
  db: Kysely<Database>,
  o: {
    assemblyGuid: string;
    targets: unknown[];
    schedule: Record<string, unknown>;
    nextOccurrenceAt: Date | null;
    components?: number;
    expiration?: string;
    missedRunPolicy?: 'run_latest' | 'skip';
    allowedSiteIds?: number[];
  },
): Promise<number> {
  const components = Array.from({ length: o.components ?? 1 }, () => ({ kind: 'script', assembly_guid: o.assemblyGuid, assembly_revision: null, variable_values: {}, timeout_seconds: null }));
  const row = await db
    .insertInto('scheduled_jobs')
    .values({
      name: `job-${randomBytes(3).toString('hex')}`,
      job_kind: 'automation',
      components: JSON.stringify(components),
      targets: JSON.stringify(o.targets),
      schedule: JSON.stringify(o.schedule),
      expiration: o.expiration ?? 'no_expire',
      execution_context: 'system',
      missed_run_policy: o.missedRunPolicy ?? 'run_latest',
      allowed_site_ids: o.allowedSiteIds ?? [],
      next_occurrence_at: o.nextOccurrenceAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
