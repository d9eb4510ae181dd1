// The 10-minute approval sweep on a manual clock, on PGlite and PostgreSQL: P6 (a pending request
// without polls for 24 h expires and a new request succeeds), approved rows, retention, throttle.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/databases';
import { startEnrollmentEngine, type EnrollmentTestEngine } from '../enrollment/enrollment-test-engine';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each(DIALECTS)('approval sweep on %s', (dialect) => {
  let e: EnrollmentTestEngine;
  let site: { id: number; code: string };
  const db = () => e.t.engine.ctx.db;
  const statusOf = async (reference: string) =>
    (await db().selectFrom('device_approvals').select('status').where('approval_reference', '=', reference).executeTakeFirstOrThrow()).status;
  const sweep = () => e.t.engine.ctx.security!.maintenance.runMinutely();

  beforeAll(async () => {
    e = await startEnrollmentEngine(dialect);
    site = await e.createSite('Alta');
  });
  afterAll(() => e?.close());

  it('P6: a pending request without polls for 24 h → expired; the poll says expired and a new request succeeds', async () => {
    const agent = e.agent(site.code);
    await agent.request();
    const first = agent.approvalReference!;
    const polled = e.agent(site.code);
    await polled.request();
    e.clock.advance(23 * HOUR);
    expect((await polled.poll()).body.status).toBe('pending');
    e.clock.advance(HOUR + 60_000);
    const events = e.queueEvents.length;
    await sweep();
    expect(await statusOf(first)).toBe('expired');
    expect(await statusOf(polled.approvalReference!)).toBe('pending');
    expect(e.queueEvents.length).toBe(events + 1);
    expect((await agent.poll()).body).toEqual({ status: 'expired' });

    const again = await agent.request();
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('pending');
    expect(again.body.approval_reference).not.toBe(first);
  });

  it('expires a pending row 30 days after creation even while it keeps polling', async () => {
    const agent = e.agent(site.code);
    await agent.request();
    for (let day = 0; day < 30; day += 1) {
      e.clock.advance(20 * HOUR);
      await agent.poll();
    }
    // 30 × 20 h = 25 days; five more days of polling pass the absolute limit.
    for (let day = 0; day < 6; day += 1) {
      e.clock.advance(20 * HOUR);
      const res = await agent.poll();
      if (res.body.status === 'expired') break;
    }
    expect(await statusOf(agent.approvalReference!)).toBe('expired');
  });

  it('expires an approved row that is not polled within 24 h', async () => {
    const agent = e.agent(site.code);
    await agent.request();
    const id = (await db().selectFrom('device_approvals').select('id').where('approval_reference', '=', agent.approvalReference!).executeTakeFirstOrThrow()).id;
    expect((await (await e.asAdmin()).client.post(`/api/admin/device-approvals/${id}/approve`, {})).statusCode).toBe(200);
    e.clock.advance(DAY + 11 * 60_000);
    await sweep();
    expect(await statusOf(agent.approvalReference!)).toBe('expired');
    expect((await agent.poll()).body).toEqual({ status: 'expired' });
  });

  it('runs at most once per 10 minutes of engine time', async () => {
    e.clock.advance(11 * 60_000);
    await sweep();
    const agent = e.agent(site.code);
    await agent.request();
    e.clock.advance(DAY + 60_000);
    // A minute after the last sweep? No: a day passed, so this pass sweeps; the next minute's does not.
    await sweep();
    expect(await statusOf(agent.approvalReference!)).toBe('expired');
    const fresh = e.agent(site.code);
    await fresh.request();
    await db().updateTable('device_approvals').set({ expires_at: e.clock.now() }).where('approval_reference', '=', fresh.approvalReference!).execute();
    e.clock.advance(60_000);
    await sweep();
    expect(await statusOf(fresh.approvalReference!)).toBe('pending');
    e.clock.advance(10 * 60_000);
    await sweep();
    expect(await statusOf(fresh.approvalReference!)).toBe('expired');
  });

  it('deletes terminal rows and wrong-code records 30 days after their last change, and keeps younger ones', async () => {
    await e.agent('0000-0000-0000-0000-0000-0000-0000-0001', { hostname: 'old-typo' }).request();
    const young = e.agent(site.code);
    e.clock.advance(29 * DAY);
    await young.request();
    await db().updateTable('device_approvals').set({ status: 'denied', updated_at: e.clock.now() }).where('approval_reference', '=', young.approvalReference!).execute();
    e.clock.advance(DAY + 11 * 60_000);
    await sweep();
    const left = await db().selectFrom('device_approvals').select(['approval_reference', 'status']).execute();
    expect(left.map((r) => r.approval_reference)).toEqual([young.approvalReference]);
    expect(await db().selectFrom('enrollment_code_failures').select('id').where('hostname_claimed', '=', 'old-typo').execute()).toEqual([]);
  });
});
