// Display-name lookups of enrolment (first free name with -1…-50 suffixes) and site assignment
// answer correctly on both dialects, and on PostgreSQL they read the btree name index, never the
// trigram index the planner took for `IN` lists (60–150 ms per enrolment at 7,000 devices).

import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, type TestDialect } from '../../../test/databases';
import type { Database } from '../../db/schema';
import { openMigratedTestDatabase } from '../audit/audit-test-database';
import { freeDisplayName, MAX_DISPLAY_NAME_SUFFIX } from '../enrollment/finalize-enrollment';
import { lowerDisplayNameIn } from './display-name-sql';

const FLEET = 3_000;

/** A migrated database with FLEET devices `ws-00000`…, plus `WS-00007-1` and `ws-00007-2`. */
async function seededDatabase(dialect: TestDialect): Promise<{ db: Kysely<Database>; close(): Promise<void> }> {
  const opened = await openMigratedTestDatabase(dialect, 'display_names');
  const now = new Date();
  const names = [...Array.from({ length: FLEET }, (_, i) => `ws-${String(i).padStart(5, '0')}`), 'WS-00007-1', 'ws-00007-2'];
  for (let i = 0; i < names.length; i += 1000) {
    await opened.db
      .insertInto('devices')
      .values(
        names.slice(i, i + 1000).map((name) => {
          const guid = randomUUID();
          return { guid, display_name: name, hostname: name, ssl_key_fingerprint: guid, agent_id: `${name}_${guid.slice(0, 8)}_SYSTEM`, platform: 'linux' as const, arch: 'x64' as const, enrolled_at: now, last_enrollment_at: now, created_at: now, updated_at: now };
        }),
      )
      .execute();
  }
  return opened;
}

describe.each(DIALECTS)('display-name lookups on %s', (dialect) => {
  let db: Kysely<Database>;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ db, close } = await seededDatabase(dialect));
  }, 120_000);
  afterAll(() => close?.());

  it('a clashing host name gets the first free suffix, compared without case', async () => {
    expect(await freeDisplayName(db, 'WS-00007')).toBe('WS-00007-3');
    expect(await freeDisplayName(db, 'ws-00008')).toBe('ws-00008-1');
    expect(await freeDisplayName(db, 'brand-new')).toBe('brand-new');
  });

  it('matches names in any case, and nothing for an empty list', async () => {
    const rows = await db.selectFrom('devices').select('display_name').where(lowerDisplayNameIn(['Ws-00001', 'ws-00002', 'missing'])).orderBy('display_name').execute();
    expect(rows.map((r) => r.display_name)).toEqual(['ws-00001', 'ws-00002']);
    expect(await db.selectFrom('devices').select('guid').where(lowerDisplayNameIn([])).execute()).toEqual([]);
  });
});

describe('display-name lookup plan on postgres', () => {
  let db: Kysely<Database>;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    // No ANALYZE: a fleet enrolling fast outruns autovacuum's statistics, which is when the
    // planner preferred the trigram index for the old `IN` list.
    ({ db, close } = await seededDatabase('postgres'));
  }, 120_000);
  afterAll(() => close?.());

  it('the free-name lookup of 51 candidates reads the btree name index, not the trigram index', async () => {
    const candidates = ['ws-00007', ...Array.from({ length: MAX_DISPLAY_NAME_SUFFIX }, (_, i) => `ws-00007-${i + 1}`)];
    const query = db.selectFrom('devices').select(sql<string>`lower(display_name)`.as('name')).where(lowerDisplayNameIn(candidates)).compile();
    const explained = await db.executeQuery<{ 'QUERY PLAN': string }>({ ...query, sql: `EXPLAIN ${query.sql}` });
    const plan = explained.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).not.toContain('display_name_trgm');
    expect(plan).toMatch(/ix_devices__name_guid|uq_devices__lower_display_name|ix_devices__site_id_name_guid/);
  });
});
