// Flood control (security.md §9.1): past 100 failed sign-ins a minute from one address, the rest
// become one `auth.rate_limited {count}` row per address and minute.

import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/databases';
import { createManualClock } from '../../clock';
import type { Database } from '../../db/schema';
import { createAuditLog } from './audit-log';
import { openMigratedTestDatabase } from './audit-test-database';
import { createSignInFloodControl } from './sign-in-flood';

const START = '2026-11-25T04:00:00.000Z';

function setUp() {
  const clock = createManualClock(START);
  return { clock, flood: createSignInFloodControl({ clock, audit: createAuditLog({ clock }) }) };
}

describe('sign-in flood control', () => {
  it('lets the first 100 failures of a minute from one address be written one by one, then holds the rest', () => {
    const { flood } = setUp();
    const answers = Array.from({ length: 130 }, () => flood.noteFailure('198.51.100.7'));
    expect(answers.filter(Boolean)).toHaveLength(100);
    expect(answers.slice(0, 100).every(Boolean)).toBe(true);
    expect(answers.slice(100).some(Boolean)).toBe(false);
  });

  it('counts each address on its own', () => {
    const { flood } = setUp();
    for (let i = 0; i < 100; i++) flood.noteFailure('198.51.100.7');
    expect(flood.noteFailure('198.51.100.7')).toBe(false);
    expect(flood.noteFailure('203.0.113.9')).toBe(true);
  });

  it('starts afresh in the next minute', () => {
    const { clock, flood } = setUp();
    for (let i = 0; i < 101; i++) flood.noteFailure('198.51.100.7');
    clock.advance(60_000);
    expect(flood.noteFailure('198.51.100.7')).toBe(true);
  });
});

describe.each(DIALECTS)('sign-in flood summaries on %s', (dialect) => {
  let db: Kysely<Database>;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ db, close } = await openMigratedTestDatabase(dialect, 'audit_flood'));
  });
  afterAll(async () => {
    await close?.();
  });

  const summaries = () => db.selectFrom('audit_events').selectAll().where('action', '=', 'auth.rate_limited').orderBy('at').orderBy('actor_ip').execute();

  it('writes one auth.rate_limited row per address and ended minute, with the count it held back', async () => {
    const { clock, flood } = setUp();
    for (let i = 0; i < 250; i++) flood.noteFailure('198.51.100.7');
    for (let i = 0; i < 101; i++) flood.noteFailure('203.0.113.9');
    for (let i = 0; i < 100; i++) flood.noteFailure('192.0.2.1');

    expect(await flood.flush(db)).toBe(0); // the minute has not ended yet
    clock.advance(60_000);
    for (let i = 0; i < 105; i++) flood.noteFailure('198.51.100.7');
    expect(await flood.flush(db)).toBe(2);
    expect(await flood.flush(db)).toBe(0);

    const rows = await summaries();
    expect(rows.map((r) => [r.actor_ip, r.details])).toEqual([
      ['198.51.100.7', { count: 150, minute: START }],
      ['203.0.113.9', { count: 1, minute: START }],
    ]);
    expect(rows[0]).toMatchObject({ actor_type: 'anonymous', outcome: 'failure', severity: 'info' });

    clock.advance(60_000);
    expect(await flood.flush(db)).toBe(1);
    expect((await summaries()).at(-1)).toMatchObject({ actor_ip: '198.51.100.7', details: { count: 5, minute: '2026-11-25T04:01:00.000Z' } });
  });
});
