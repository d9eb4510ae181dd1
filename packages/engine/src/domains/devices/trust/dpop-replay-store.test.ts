// DM13 on both dialects: one dpop_replay key is accepted once, even from two connections at
// once on PostgreSQL, and the purge removes only expired rows.

import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../../test/databases';
import { purgeExpired, remember, rememberMany } from './dpop-replay-store';
import { openTrustTestDatabase, type TrustTestDatabase } from './trust-test-database';

const NOW = new Date('2026-03-01T12:00:00Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe.each(DIALECTS)('dpop replay store on %s', (dialect) => {
  let t: TrustTestDatabase;
  beforeAll(async () => {
    t = await openTrustTestDatabase(dialect, 'dpop_replay');
  });
  afterAll(() => t.close());

  it('DM13: the first insert of a key succeeds and the second is a replay', async () => {
    const key = randomBytes(32);
    expect(await remember(t.database.db, key, later(150))).toBe(true);
    expect(await remember(t.database.db, key, later(150))).toBe(false);
  });

  it('DM13: one key inserted from two connections at once succeeds once', async () => {
    const other = (await t.openSecond()) ?? t.database;
    for (let i = 0; i < 10; i += 1) {
      const key = randomBytes(32);
      const results = await Promise.all([remember(t.database.db, key, later(150)), remember(other.db, key, later(150))]);
      expect(results.filter(Boolean)).toHaveLength(1);
    }
  });

  it('DM13: a batch answers per key in order: new keys fresh, a known key and a repeat inside the batch replays', async () => {
    const known = randomBytes(32);
    await remember(t.database.db, known, later(150));
    const a = randomBytes(32);
    const b = randomBytes(32);
    const answers = await rememberMany(t.database.db, [a, known, b, a].map((key) => ({ key, expiresAt: later(150) })));
    expect(answers).toEqual([true, false, true, false]);
    expect(await remember(t.database.db, b, later(150))).toBe(false);
    const stored = await t.database.db.selectFrom('dpop_replay').select(['key', 'expires_at']).where('key', '=', a).execute();
    expect(stored.map((r) => [r.key.toString('hex'), r.expires_at.toISOString()])).toEqual([[a.toString('hex'), later(150).toISOString()]]);
    expect(await rememberMany(t.database.db, [])).toEqual([]);
  });

  it('DM13: the purge removes only expired rows', async () => {
    await t.database.db.deleteFrom('dpop_replay').execute();
    const expired = randomBytes(32);
    const live = randomBytes(32);
    await remember(t.database.db, expired, later(-1));
    await remember(t.database.db, live, later(1));
    expect(await purgeExpired(t.database.db, NOW)).toBe(1);
    const keys = await t.database.db.selectFrom('dpop_replay').select('key').execute();
    expect(keys.map((k) => k.key.toString('hex'))).toEqual([live.toString('hex')]);
  });

  it(`DM13: dpop_replay is ${dialect === 'postgres' ? 'UNLOGGED' : 'a permanent table'} here`, async () => {
    const { rows } = await sql<{ p: string }>`SELECT relpersistence AS p FROM pg_class WHERE oid = 'engine.dpop_replay'::regclass`.execute(t.database.db);
    expect(rows[0]?.p).toBe(dialect === 'postgres' ? 'u' : 'p');
  });
});
