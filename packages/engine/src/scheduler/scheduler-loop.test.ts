// The scheduler loop on real databases (automation.md §4, conformance S1, S2 (fence), S4, S5, S6):
// due jobs become occurrences, runs and executions once; missed runs collapse; leases fence; two
// loops on one PostgreSQL database never double a run; site work gets a site worker.

import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock';
import type { Database } from '../db/schema';
import { tableAssemblySource } from '../domains/scheduled-jobs/assembly-source';
import { createScheduledJobWork } from '../domains/scheduled-jobs/scheduled-job-work';
import { noFilterResolver } from '../domains/scheduled-jobs/targets';
import { DIALECTS } from '../../test/databases';
import { insertAssembly, insertDevice, insertJob, insertSite, openSchedulingDb, quietLog, type SchedulingDb } from '../../test/scheduling-fixtures';
import { createSchedulerLoop } from './scheduler-loop';
import { createSiteWorker, type SiteWorker } from './site-worker';
import { claimWorkItem, enqueueWorkItem, finishWorkItem, renewLease, requeueExpiredLeases } from './work-items';

/**
 * Stands in for the quick-jobs dispatcher and a real agent (another branch; cannot run here): each
 * delivery is counted and the execution is recorded Success as an agent's result would be.
 */
function simulatedAgentDelivery(db: Kysely<Database>, clock: { now(): Date }, outcome: (id: string) => 'Success' | 'Failed' = () => 'Success') {
  const deliveries = new Map<string, number>();
  const deliver = async (ids: readonly string[]) => {
    for (const id of ids) {
      // Pending → Running only by conditional update (§4.3), so a second delivery does nothing.
      const accepted = await db.updateTable('activity_history').set({ status: 'Running', accepted_at: clock.now(), dispatched_at: clock.now() }).where('id', '=', id).where('status', '=', 'Pending').executeTakeFirst();
      if (Number(accepted.numUpdatedRows) === 0) continue;
      deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
      await db.updateTable('activity_history').set({ status: outcome(id), exit_code: 0, finished_at: clock.now() }).where('id', '=', id).where('status', '=', 'Running').execute();
    }
  };
  return { deliver, deliveries };
}

function loopFor(db: Kysely<Database>, clock: { now(): Date }, deliver: (ids: readonly string[]) => Promise<void>, extra: { launchSiteWorker?: (siteId: number) => void; missedGraceSeconds?: number } = {}) {
  const work = createScheduledJobWork({ db, deliver, assemblies: tableAssemblySource, resolveFilter: noFilterResolver, defaultTimeZone: 'UTC', missedGraceSeconds: extra.missedGraceSeconds ?? 300, historyDays: 30 });
  return { work, loop: createSchedulerLoop({ db, clock, log: quietLog, work, leaseSeconds: 300, concurrency: 7, passIntervalMs: 5, launchSiteWorker: extra.launchSiteWorker }) };
}

for (const dialect of DIALECTS) {
  describe(`scheduler loop (${dialect})`, () => {
    let t: SchedulingDb;
    let assembly: string;
    beforeAll(async () => {
      t = await openSchedulingDb(dialect, 'sched_loop');
      assembly = await insertAssembly(t.db);
    });
    afterAll(async () => t?.close());

    it('turns a due job into one occurrence, one run per device and executions delivered once', async () => {
      const clock = createManualClock('2026-06-01T10:00:00Z');
      const a = await insertDevice(t.db, { online: true });
      const b = await insertDevice(t.db, { online: false });
      const job = await insertJob(t.db, { assemblyGuid: assembly, targets: [{ kind: 'device', device_guid: a.guid }, { kind: 'device', device_guid: b.guid }], schedule: { type: 'every_5_minutes', start: '2026-06-01T10:00:00Z' }, nextOccurrenceAt: new Date('2026-06-01T10:00:00Z') });
      const agent = simulatedAgentDelivery(t.db, clock);
      const { loop } = loopFor(t.db, clock, agent.deliver);
      await loop.tick();
      await loop.drain();
      await loop.tick();
      await loop.drain();
      const occ = await t.db.selectFrom('scheduled_job_occurrences').selectAll().where('job_id', '=', job).execute();
      expect(occ).toHaveLength(1);
      expect(occ[0]).toMatchObject({ trigger: 'schedule', status: 'Running' });
      const runs = await t.db.selectFrom('scheduled_job_runs').select(['device_guid', 'status']).where('job_id', '=', job).orderBy('hostname').execute();
      expect(runs.find((r) => r.device_guid === a.guid)?.status).toBe('Success');
      expect(runs.find((r) => r.device_guid === b.guid)?.status).toBe('Pending');
      expect([...agent.deliveries.values()]).toEqual([1]);
      const jobRow = await t.db.selectFrom('scheduled_jobs').select('next_occurrence_at').where('id', '=', job).executeTakeFirstOrThrow();
      expect(jobRow.next_occurrence_at?.toISOString()).toBe('2026-06-01T10:05:00.000Z');
      await t.db.deleteFrom('scheduled_jobs').where('id', '=', job).execute();
    });

    it('S5: a device still busy with the job is Skipped/previous_run_active; 30m expiration expires it', async () => {
      const clock = createManualClock('2026-06-02T10:00:00Z');
      const offline = await insertDevice(t.db);
      const online = await insertDevice(t.db, { online: true });
      const job = await insertJob(t.db, { assemblyGuid: assembly, targets: [{ kind: 'device', device_guid: offline.guid }, { kind: 'device', device_guid: online.guid }], schedule: { type: 'every_10_minutes', start: '2026-06-02T10:00:00Z' }, nextOccurrenceAt: new Date('2026-06-02T10:00:00Z'), expiration: '30m' });
      const agent = simulatedAgentDelivery(t.db, clock);
      const { loop } = loopFor(t.db, clock, agent.deliver);
      for (const minute of [0, 10]) {
        clock.set(new Date(Date.parse('2026-06-02T10:00:00Z') + minute * 60_000));
        await loop.tick();
        await loop.drain();
      }
      const runs = await t.db.selectFrom('scheduled_job_runs as r').innerJoin('scheduled_job_occurrences as o', 'o.id', 'r.occurrence_id').select(['o.scheduled_for', 'r.device_guid', 'r.status', 'r.skip_reason']).where('r.job_id', '=', job).orderBy('o.scheduled_for').execute();
      const second = runs.filter((r) => r.scheduled_for.toISOString() === '2026-06-02T10:10:00.000Z');
      expect(second.find((r) => r.device_guid === offline.guid)).toMatchObject({ status: 'Skipped', skip_reason: 'previous_run_active' });
      expect(second.find((r) => r.device_guid === online.guid)?.status).toBe('Success');
      clock.set('2026-06-02T10:30:00Z');
      await loop.tick();
      await loop.drain();
      const first = await t.db.selectFrom('activity_history as e').innerJoin('scheduled_job_runs as r', 'r.id', 'e.run_id').select(['e.status', 'e.error_code', 'r.status as run_status']).innerJoin('scheduled_job_occurrences as o', 'o.id', 'r.occurrence_id').where('o.scheduled_for', '=', new Date('2026-06-02T10:00:00Z')).where('r.job_id', '=', job).where('e.device_guid', '=', offline.guid).execute();
      expect(first).toEqual([{ status: 'Expired', error_code: 'device_offline', run_status: 'Expired' }]);
      await t.db.deleteFrom('scheduled_jobs').where('id', '=', job).execute();
    });

    it('runs components in order and skips the rest after a failure (stop_on_failure)', async () => {
      const clock = createManualClock('2026-06-03T10:00:00Z');
      const d = await insertDevice(t.db, { online: true });
      const job = await insertJob(t.db, { assemblyGuid: assembly, targets: [{ kind: 'device', device_guid: d.guid }], schedule: { type: 'once', start: '2026-06-03T10:00:00Z' }, nextOccurrenceAt: new Date('2026-06-03T10:00:00Z'), components: 3 });
      const order: number[] = [];
      const agent = simulatedAgentDelivery(t.db, clock, () => (order.length === 2 ? 'Failed' : 'Success'));
      const deliver = async (ids: readonly string[]) => {
        for (const id of ids) {
          const e = await t.db.selectFrom('activity_history as e').innerJoin('scheduled_job_runs as r', 'r.id', 'e.run_id').select(['e.component_index', 'r.job_id', 'e.status']).where('e.id', '=', id).executeTakeFirstOrThrow();
          if (e.job_id === job) order.push(e.component_index!);
        }
        await agent.deliver(ids);
      };
      const { loop } = loopFor(t.db, clock, deliver);
      await loop.tick();
      await loop.drain();
      const execs = await t.db.selectFrom('activity_history as e').innerJoin('scheduled_job_runs as r', 'r.id', 'e.run_id').select(['e.component_index', 'e.status', 'e.skip_reason']).where('r.job_id', '=', job).orderBy('e.component_index').execute();
      expect(order).toEqual([0, 1]);
      expect(execs).toEqual([
        { component_index: 0, status: 'Success', skip_reason: null },
        { component_index: 1, status: 'Failed', skip_reason: null },
        { component_index: 2, status: 'Skipped', skip_reason: 'previous_component_failed' },
      ]);
      const occ = await t.db.selectFrom('scheduled_job_occurrences').select(['status', 'counts_json']).where('job_id', '=', job).executeTakeFirstOrThrow();
      expect(occ).toMatchObject({ status: 'Failed', counts_json: { total: 1, Failed: 1 } });
      const state = await t.db.selectFrom('scheduled_jobs').select(['state', 'next_occurrence_at']).where('id', '=', job).executeTakeFirstOrThrow();
      expect(state).toEqual({ state: 'completed', next_occurrence_at: null });
    });

    it('S4: after 60 min down an every_5_minutes job gets one catch_up occurrence with missed_count 11; skip gets one Skipped', async () => {
      const clock = createManualClock('2026-06-04T11:00:30Z');
      const d = await insertDevice(t.db, { online: false });
      const start = new Date('2026-06-04T10:00:00Z');
      const latest = await insertJob(t.db, { assemblyGuid: assembly, targets: [{ kind: 'device', device_guid: d.guid }], schedule: { type: 'every_5_minutes', start: start.toISOString() }, nextOccurrenceAt: new Date('2026-06-04T10:05:00Z') });
      const skip = await insertJob(t.db, { assemblyGuid: assembly, targets: [{ kind: 'device', device_guid: d.guid }], schedule: { type: 'every_5_minutes', start: start.toISOString() }, nextOccurrenceAt: new Date('2026-06-04T10:05:00Z'), missedRunPolicy: 'skip' });
      const { loop } = loopFor(t.db, clock, async () => {});
      await loop.tick();
      await loop.drain();
      const occ = await t.db.selectFrom('scheduled_job_occurrences').select(['job_id', 'scheduled_for', 'trigger', 'missed_count', 'status', 'skip_reason']).where('job_id', 'in', [latest, skip]).orderBy('job_id').execute();
      // Due 10:05 … 11:00 = 12 instants; the latest runs, 11 are counted as missed.
      expect(occ).toEqual([
        { job_id: latest, scheduled_for: new Date('2026-06-04T11:00:00Z'), trigger: 'catch_up', missed_count: 11, status: 'Pending', skip_reason: null },
        { job_id: skip, scheduled_for: new Date('2026-06-04T11:00:00Z'), trigger: 'catch_up', missed_count: 12, status: 'Skipped', skip_reason: 'missed' },
      ]);
      const skippedExecs = await t.db.selectFrom('scheduled_job_runs').select('id').where('job_id', '=', skip).execute();
      expect(skippedExecs).toEqual([]);
      const next = await t.db.selectFrom('scheduled_jobs').select('next_occurrence_at').where('id', '=', latest).executeTakeFirstOrThrow();
      expect(next.next_occurrence_at?.toISOString()).toBe('2026-06-04T11:05:00.000Z');
      await t.db.deleteFrom('scheduled_jobs').where('id', 'in', [latest, skip]).execute();
    });

    it('S2: a fenced-out lease holder writes nothing; a renewed lease is never re-claimed', async () => {
      const clock = createManualClock('2026-06-05T10:00:00Z');
      await enqueueWorkItem(t.db, { kind: 'retention_sweep', dedupeKey: 'test:fence', siteId: 999, payload: {}, availableAt: clock.now() });
      expect(await enqueueWorkItem(t.db, { kind: 'retention_sweep', dedupeKey: 'test:fence', siteId: 999, payload: {}, availableAt: clock.now() })).toBe(false);
      const who = (owner: string) => ({ owner, workerGuid: '00000000-0000-4000-8000-000000000001', siteId: 999, lanes: ['maintenance'] as const });
      const first = (await claimWorkItem(t.db, who('A'), clock.now(), 300))!;
      expect(first.attempt).toBe(1);
      // Renewed for 15 min: never re-claimable.
      for (let i = 0; i < 45; i++) {
        clock.advance(20_000);
        expect(await renewLease(t.db, { itemId: first.id, owner: 'A', attempt: 1 }, clock.now(), 300)).toBe(true);
        expect(await requeueExpiredLeases(t.db, clock.now())).toEqual([]);
        expect(await claimWorkItem(t.db, who('B'), clock.now(), 300)).toBeNull();
      }
      // A goes silent; 301 s later the lease is requeued and B takes attempt 2.
      clock.advance(301_000);
      expect((await requeueExpiredLeases(t.db, clock.now())).map((r) => r.id)).toEqual([first.id]);
      const second = (await claimWorkItem(t.db, who('B'), clock.now(), 300))!;
      expect(second).toMatchObject({ id: first.id, attempt: 2 });
      expect(await renewLease(t.db, { itemId: first.id, owner: 'A', attempt: 1 }, clock.now(), 300)).toBe(false);
      expect(await finishWorkItem(t.db, { itemId: first.id, owner: 'A', attempt: 1 }, 'succeeded', clock.now())).toBe(false);
      const row = await t.db.selectFrom('job_scheduler_work_items').select(['status', 'lease_owner', 'attempt_count']).where('id', '=', first.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'running', lease_owner: 'B', attempt_count: 2 });
      expect(await finishWorkItem(t.db, { itemId: first.id, owner: 'B', attempt: 2 }, 'succeeded', clock.now())).toBe(true);
    });

    it('S6: work for a site gets a site worker for that site, which stops after 60 s idle', async () => {
      const clock = createManualClock('2026-06-06T10:00:00Z');
      const site = await insertSite(t.db);
      const d = await insertDevice(t.db, { siteId: site, online: true });
      const job = await insertJob(t.db, { assemblyGuid: assembly, targets: [{ kind: 'site', site_id: site }], schedule: { type: 'once', start: '2026-06-06T10:00:00Z' }, nextOccurrenceAt: new Date('2026-06-06T10:00:00Z') });
      const agent = simulatedAgentDelivery(t.db, clock);
      const workers: SiteWorker[] = [];
      const { work, loop } = loopFor(t.db, clock, agent.deliver, {
        launchSiteWorker: (siteId) => {
          const w = createSiteWorker({ db: t.db, clock, log: quietLog, siteId, concurrency: 7, leaseSeconds: 300, handlers: work.handlers, launcher: 'in_process', passIntervalMs: 5 });
          workers.push(w);
        },
      });
      await loop.tick(); // schedule + materialize: a scheduled_run for the site is queued
      await loop.drain();
      clock.advance(30_000);
      await loop.tick(); // reconcile
      expect(workers).toHaveLength(1);
      const w = workers[0]!;
      await w.start();
      await w.drain();
      const row = await t.db.selectFrom('job_scheduler_workers').select(['name', 'site_id', 'kind']).where('worker_guid', '=', w.workerGuid).executeTakeFirstOrThrow();
      expect(row).toEqual({ name: w.name, site_id: site, kind: 'site_worker' });
      expect(w.name).toMatch(/^site-worker-[0-9a-f-]{36}$/);
      const runs = await t.db.selectFrom('scheduled_job_runs').select(['device_guid', 'status']).where('job_id', '=', job).execute();
      expect(runs).toEqual([{ device_guid: d.guid, status: 'Success' }]);
      clock.advance(61_000);
      await w.tick();
      await w.done;
      const after = await t.db.selectFrom('job_scheduler_workers').select('status').where('worker_guid', '=', w.workerGuid).executeTakeFirstOrThrow();
      expect(after.status).toBe('stopped');
    });
  });
}

describe('two scheduler loops on one PostgreSQL database (S1)', () => {
  let t: SchedulingDb;
  afterAll(async () => t?.close());

  it('200 due occurrences: every one materializes once and each device runs each once', async () => {
    t = await openSchedulingDb('postgres', 'sched_two');
    const assembly = await insertAssembly(t.db);
    const devices = [await insertDevice(t.db, { online: true }), await insertDevice(t.db, { online: true })];
    const clock = createManualClock('2026-07-01T12:00:00Z');
    const jobs: number[] = [];
    for (let i = 0; i < 200; i++) {
      jobs.push(await insertJob(t.db, { assemblyGuid: assembly, targets: devices.map((d) => ({ kind: 'device', device_guid: d.guid })), schedule: { type: 'once', start: '2026-07-01T11:59:00Z' }, nextOccurrenceAt: new Date('2026-07-01T11:59:00Z') }));
    }
    const other = await t.openAnother();
    const agentA = simulatedAgentDelivery(t.db, clock);
    const agentB = simulatedAgentDelivery(other.db, clock);
    const a = loopFor(t.db, clock, agentA.deliver).loop;
    const b = loopFor(other.db, clock, agentB.deliver).loop;
    const isSettled = async () => (await t.db.selectFrom('scheduled_job_occurrences').select('id').where('status', '=', 'Success').execute()).length === 200;
    // Bounded: each round both loops tick at once and finish what they claimed.
    for (let round = 0; round < 100 && !(await isSettled()); round++) {
      await Promise.all([a.tick(), b.tick()]);
      await Promise.all([a.drain(), b.drain()]);
    }
    const occ = await t.db.selectFrom('scheduled_job_occurrences').select(['job_id', 'status']).execute();
    expect(occ).toHaveLength(200);
    expect(new Set(occ.map((o) => o.job_id)).size).toBe(200);
    expect(occ.every((o) => o.status === 'Success')).toBe(true);
    const execs = await t.db.selectFrom('activity_history').select(['id', 'status']).execute();
    expect(execs).toHaveLength(400);
    const delivered = new Map<string, number>();
    for (const [id, n] of [...agentA.deliveries, ...agentB.deliveries]) delivered.set(id, (delivered.get(id) ?? 0) + n);
    expect(delivered.size).toBe(400);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    const items = await t.db.selectFrom('job_scheduler_work_items').select(['kind', 'status', 'attempt_count']).where('kind', '!=', 'retention_sweep').execute();
    expect(items).toHaveLength(400);
    expect(items.every((i) => i.status === 'succeeded' && i.attempt_count === 1)).toBe(true);
  });
});
