// Software title lookup on both dialects: ids by lower-case name, new titles created once, and on
// PostgreSQL a plan served by the name btree even before ANALYZE (the trigram index was 224 ms).

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../../test/databases';
import { openTrustTestDatabase, type TrustTestDatabase } from '../../devices/trust/trust-test-database';
import { ensureTitles, titlesNamed, titlesNamedQuery } from './inventory-repository';

const titleMap = (names: readonly string[]) => new Map(names.map((n) => [n.toLowerCase(), n]));

describe.each(DIALECTS)('software titles on %s', (dialect) => {
  let t: TrustTestDatabase;
  beforeAll(async () => {
    t = await openTrustTestDatabase(dialect, 'software_titles');
  });
  afterAll(() => t.close());
  const db = () => t.database.db;

  it('ensureTitles creates missing titles once and returns the same id for a name every time', async () => {
    const first = await ensureTitles(db(), titleMap(['OpenSSL', 'bash', 'curl']));
    expect([...first.keys()].sort()).toEqual(['bash', 'curl', 'openssl']);
    const second = await ensureTitles(db(), titleMap(['OpenSSL', 'zsh']));
    expect(second.get('openssl')).toBe(first.get('openssl'));
    expect(second.get('zsh')).toBeDefined();
    const rows = await db().selectFrom('software_titles').select('name_lower').where('name_lower', 'in', ['openssl', 'bash', 'curl', 'zsh']).execute();
    expect(rows).toHaveLength(4);
  });

  it('titlesNamed answers only the names asked for, leaves unknown names out and matches names exactly', async () => {
    const made = await ensureTitles(db(), titleMap(['vim', 'vim-tiny', 'vi']));
    const found = await titlesNamed(db(), ['vim', 'no-such-title', 'vi']);
    expect(Object.fromEntries(found)).toEqual({ vim: made.get('vim'), vi: made.get('vi') });
    expect((await titlesNamed(db(), [])).size).toBe(0);
  });
});

describe('software title lookup plan on postgres', () => {
  let t: TrustTestDatabase;
  beforeAll(async () => {
    t = await openTrustTestDatabase('postgres', 'software_titles_plan');
  });
  afterAll(() => t.close());
  const db = () => t.database.db;

  it('the lookup of 200 names at 3,000 titles reads the name btree, not the trigram index, before ANALYZE', async () => {
    await sql`INSERT INTO software_titles (name_lower, name) SELECT 'package-' || g, 'Package-' || g FROM generate_series(1, 3000) g ON CONFLICT DO NOTHING`.execute(db());
    const names = Array.from({ length: 200 }, (_, i) => `package-${i * 15 + 1}`);
    const { rows } = await sql<{ 'QUERY PLAN': unknown }>`EXPLAIN (FORMAT JSON) ${titlesNamedQuery(names)}`.execute(db());
    const plan = JSON.stringify(rows[0]?.['QUERY PLAN']);
    expect(plan).toContain('uq_software_titles__name_lower');
    expect(plan).not.toContain('trgm');
    expect((await titlesNamed(db(), names)).size).toBe(200);
  });
});
