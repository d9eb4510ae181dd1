// Conformance DM16 (data-model.md §7): concurrent claims take each work item once, a repeated
// enqueue of a dedupe_key leaves one row, and a lease past lease_expires_at is requeued.

import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock';
import type { Database } from '../db/schema';
import { DIALECTS } from '../../test/databases';
import { openSchedulingDb, type SchedulingDb } from '../../test/scheduling-fixtures';
import { claimWorkItem, enqueueWorkItem, requeueExpiredLeases } from './work-items';

const ITEMS = 1000;
const SITE = 4242;

describe.each(DIALECTS)('work items (%s)', (dialect) => {
  let t: SchedulingDb;
  beforeAll(async () => {
    t = await openSchedulingDb(dialect, 'work_items');
  });
  afterAll(async () => t?.close());

  it('DM16: two schedulers claim 1,000 work items concurrently and each item is claimed once', async () => {
    const clock = createManualClock('2026-06-01T10:00:00Z');
    for (let i = 0; i < ITEMS; i++) {
      await enqueueWorkItem(t.db, { kind: 'retention_sweep', dedupeKey: `dm16:${i}`, siteId: SITE, payload: { i }, availableAt: clock.now() });
    }
    // On PostgreSQL each scheduler has its own pool; PGlite has one connection, shared.
    const dbB: Kysely<Database> = dialect === 'postgres' ? (await t.openAnother()).db : t.db;
    const claimed: Record<'A' | 'B', string[]> = { A: [], B: [] };
    const scheduler = async (owner: 'A' | 'B', db: Kysely<Database>) => {
      const who = { owner, workerGuid: '00000000-0000-4000-8000-00000000001' + (owner === 'A' ? '1' : '2'), siteId: SITE, lanes: ['maintenance'] as const };
      // Several claim loops per scheduler, like its worker concurrency; each stops when the queue is empty.
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let n = 0; n <= ITEMS; n++) {
            const item = await claimWorkItem(db, who, clock.now(), 300);
            if (!item) return;
            claimed[owner].push(item.id);
          }
        }),
      );
    };
    await Promise.all([scheduler('A', t.db), scheduler('B', dbB)]);
    const all = [...claimed.A, ...claimed.B];
    expect(all).toHaveLength(ITEMS);
    expect(new Set(all).size).toBe(ITEMS);
    if (dialect === 'postgres') {
      expect(claimed.A.length).toBeGreaterThan(0);
      expect(claimed.B.length).toBeGreaterThan(0);
    }
    const rows = await t.db.selectFrom('job_scheduler_work_items').select(['status', 'attempt_count']).where('site_id', '=', SITE).execute();
    expect(rows).toHaveLength(ITEMS);
    expect(rows.every((r) => r.status === 'running' && r.attempt_count === 1)).toBe(true);
    await t.db.deleteFrom('job_scheduler_work_items').where('site_id', '=', SITE).execute();
  });

  it('DM16: a repeated enqueue of a dedupe_key leaves one row', async () => {
    const clock = createManualClock('2026-06-01T11:00:00Z');
    const item = { kind: 'retention_sweep' as const, dedupeKey: 'dm16:dedupe', siteId: SITE + 1, payload: { n: 1 }, availableAt: clock.now() };
    expect(await enqueueWorkItem(t.db, item)).toBe(true);
    const again = await Promise.all(Array.from({ length: 5 }, (_, n) => enqueueWorkItem(t.db, { ...item, payload: { n: n + 2 } })));
    expect(again).toEqual([false, false, false, false, false]);
    const rows = await t.db.selectFrom('job_scheduler_work_items').select(['payload_json']).where('dedupe_key', '=', 'dm16:dedupe').execute();
    expect(rows).toEqual([{ payload_json: { n: 1 } }]);
  });

  it('DM16: a lease past lease_expires_at is requeued and claimable again; a live lease is not', async () => {
    const clock = createManualClock('2026-06-01T12:00:00Z');
    const siteId = SITE + 2;
    await enqueueWorkItem(t.db, { kind: 'retention_sweep', dedupeKey: 'dm16:lease', siteId, payload: {}, availableAt: clock.now() });
    const who = (owner: string) => ({ owner, workerGuid: '00000000-0000-4000-8000-000000000021', siteId, lanes: ['maintenance'] as const });
    const held = (await claimWorkItem(t.db, who('A'), clock.now(), 300))!;
    clock.advance(299_000);
    expect(await requeueExpiredLeases(t.db, clock.now())).toEqual([]);
    expect(await claimWorkItem(t.db, who('B'), clock.now(), 300)).toBeNull();
    clock.advance(2_000);
    expect((await requeueExpiredLeases(t.db, clock.now())).map((r) => r.id)).toEqual([held.id]);
    const row = await t.db.selectFrom('job_scheduler_work_items').select(['status', 'lease_owner', 'lease_expires_at']).where('id', '=', held.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('queued');
    expect(await claimWorkItem(t.db, who('B'), clock.now(), 300)).toMatchObject({ id: held.id, attempt: 2 });
  });
});
