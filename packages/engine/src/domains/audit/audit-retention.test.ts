// The audit trail is append-only in both dialects (security.md S31, data-model.md DM5), and the
// retention sweep removes exactly the rows older than the retention age, in batches.

import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/databases';
import { createManualClock } from '../../clock';
import type { Database } from '../../db/schema';
import { createAuditLog, SYSTEM_ACTOR } from './audit-log';
import { sweepAuditEvents } from './audit-retention';
import { openMigratedTestDatabase } from './audit-test-database';

const DAY_MS = 24 * 60 * 60 * 1000;

describe.each(DIALECTS)('audit_events on %s', (dialect) => {
  let db: Kysely<Database>;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ db, close } = await openMigratedTestDatabase(dialect, 'audit_retention'));
  });
  afterAll(async () => {
    await close?.();
  });

  /** Writes one row through the real writer, dated `daysAgo` before now. */
  async function writeAged(daysAgo: number, action = 'test.row'): Promise<string> {
    const at = new Date(Date.now() - daysAgo * DAY_MS);
    await createAuditLog({ clock: createManualClock(at) }).record(db, SYSTEM_ACTOR, { action, details: { days_ago: daysAgo } });
    const row = await db.selectFrom('audit_events').select('id').where('action', '=', action).where('at', '=', at).executeTakeFirstOrThrow();
    return row.id;
  }

  async function expectAppendOnly(statement: Promise<unknown>): Promise<void> {
    const err: unknown = await statement.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err, 'the statement should have failed').toBeInstanceOf(Error);
    expect((err as Error).message).toContain('audit_events is append-only');
    expect((err as { code?: unknown }).code).toBe('P0001');
  }

  const count = async () => Number((await db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

  it('S31: accepts INSERT through the writer', async () => {
    const before = await count();
    await createAuditLog({ clock: createManualClock(new Date()) }).record(db, SYSTEM_ACTOR, { action: 'test.insert', details: { ok: true } });
    expect(await count()).toBe(before + 1);
  });

  it('S31: refuses UPDATE of any row with SQLSTATE P0001, recent or old', async () => {
    const recent = await writeAged(0, 'test.update.recent');
    const old = await writeAged(400, 'test.update.old');
    await expectAppendOnly(db.updateTable('audit_events').set({ outcome: 'failure' }).where('id', '=', recent).execute());
    await expectAppendOnly(db.updateTable('audit_events').set({ action: 'test.changed' }).where('id', '=', old).execute());
    await expectAppendOnly(sql`UPDATE audit_events SET details = '{}'`.execute(db));
    expect(await db.selectFrom('audit_events').select('id').where('action', '=', 'test.changed').execute()).toEqual([]);
  });

  it('S31: refuses TRUNCATE with SQLSTATE P0001 and keeps every row', async () => {
    const before = await count();
    await expectAppendOnly(sql`TRUNCATE audit_events`.execute(db));
    expect(await count()).toBe(before);
  });

  it('S31: refuses DELETE of a row younger than 90 days, and a statement that includes one deletes nothing', async () => {
    const recent = await writeAged(0, 'test.delete.recent');
    const young = await writeAged(89, 'test.delete.young');
    const old = await writeAged(91, 'test.delete.mixed_old');
    await expectAppendOnly(db.deleteFrom('audit_events').where('id', '=', recent).execute());
    await expectAppendOnly(db.deleteFrom('audit_events').where('id', '=', young).execute());
    await expectAppendOnly(db.deleteFrom('audit_events').where('id', 'in', [old, young]).execute());
    expect(await db.selectFrom('audit_events').select('id').where('id', 'in', [recent, young, old]).execute()).toHaveLength(3);
  });

  it('S31: allows DELETE of a row 91 days old', async () => {
    const old = await writeAged(91, 'test.delete.old');
    const result = await db.deleteFrom('audit_events').where('id', '=', old).executeTakeFirst();
    expect(Number(result.numDeletedRows)).toBe(1);
  });

  it('sweeps exactly the rows older than the retention age, in batches, and nothing on a second run', async () => {
    const olderAges = [400, 366.5, 365.01];
    const keptAges = [364.99, 200, 91, 10, 0];
    const old = await Promise.all(olderAges.map((d, i) => writeAged(d, `test.sweep.old_${i}`)));
    const kept = await Promise.all(keptAges.map((d, i) => writeAged(d, `test.sweep.kept_${i}`)));
    const now = new Date();
    const before = await db.selectFrom('audit_events').select(['id', 'at']).execute();
    const expired = before.filter((r) => r.at.getTime() < now.getTime() - 365 * DAY_MS).map((r) => r.id);
    expect(expired).toEqual(expect.arrayContaining(old));
    expect(expired.length).toBeGreaterThan(2); // more than one batch

    expect(await sweepAuditEvents(db, { now, retentionDays: 365, batchSize: 2 })).toBe(expired.length);

    const after = (await db.selectFrom('audit_events').select('id').execute()).map((r) => r.id);
    expect(after.sort()).toEqual(before.map((r) => r.id).filter((id) => !expired.includes(id)).sort());
    expect(after).toEqual(expect.arrayContaining(kept));
    expect(await sweepAuditEvents(db, { now: new Date(), retentionDays: 365 })).toBe(0);
  });

  it('sweeps with the 90-day minimum, taking a row 91 days old and sparing one of 89', async () => {
    const old = await writeAged(91, 'test.sweep90.old');
    const young = await writeAged(89, 'test.sweep90.young');
    expect(await sweepAuditEvents(db, { now: new Date(), retentionDays: 90 })).toBeGreaterThanOrEqual(1);
    const left = (await db.selectFrom('audit_events').select('id').where('id', 'in', [old, young]).execute()).map((r) => r.id);
    expect(left).toEqual([young]);
  });

  it('refuses a retention under 90 days before touching the table', async () => {
    await expect(sweepAuditEvents(db, { now: new Date(), retentionDays: 30 })).rejects.toThrow(/at least 90/);
    await expect(sweepAuditEvents(db, { now: new Date(), retentionDays: 365, batchSize: 0 })).rejects.toThrow(/batch size/);
  });
});
