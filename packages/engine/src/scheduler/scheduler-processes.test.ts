// Issue 7 acceptance 2 / conformance S1 and S2 with real processes: two `borealis start --role
// scheduler` and one engine on one PostgreSQL database run 200 due occurrences on two connected
// agents, each once; and kill -9 the holder of a scheduled_run lease and the other process
// re-claims it after the lease expires (attempt 2) and completes it without a duplicate.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../test/engine-harness';
import { setUpEngine } from '../../test/factories';
import { JobAgent, insertAssembly as insertEngineAssembly } from '../../test/quick-job-fixtures';
import { insertAssembly, insertDevice, insertJob, openSchedulingDb, type SchedulingDb } from '../../test/scheduling-fixtures';
import { insertSite, TestAgent } from '../../test/test-agent';

const BIN = fileURLToPath(new URL('../../bin/borealis.mjs', import.meta.url));
const LEASE_SECONDS = 30;

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const value = await fn();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('scheduler processes (S2, issue 7 acceptance 2)', () => {
  let t: SchedulingDb;
  const children: ChildProcess[] = [];
  const homes: string[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await t?.close();
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  });

  function startScheduler(url: string): ChildProcess {
    const home = mkdtempSync(join(tmpdir(), 'borealis-sched-'));
    homes.push(home);
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BOREALIS_')));
    const child = spawn(process.execPath, [BIN, 'start', '--role', 'scheduler'], {
      env: { ...base, BOREALIS_HOME: home, BOREALIS_DATABASE_URL: url, BOREALIS_WORK_LEASE_SECONDS: String(LEASE_SECONDS), BOREALIS_LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    children.push(child);
    return child;
  }

  it('200 due occurrences with two scheduler processes and one engine: each runs once on each device, none lost', async () => {
    const OCCURRENCES = 200;
    const engine: TestEngine = await startTestEngine({ dialect: 'postgres', listen: true });
    const runners: JobAgent[] = [];
    try {
      await setUpEngine(engine); // Aegis unlocked: the engine signs what it delivers
      const db = engine.engine.ctx.db;
      const assembly = await insertEngineAssembly(engine, { name: 'Once each' });
      for (const hostname of ['sched-a', 'sched-b']) {
        const runner = await JobAgent.connect(engine, await TestAgent.create(engine, { hostname }));
        // Each run is answered at once with a Success result, as a fast agent would.
        runner.answer = (payload) => {
          setImmediate(() => void runner.result(payload.job_id).catch(() => undefined));
          return { accepted: true };
        };
        runners.push(runner);
      }
      startScheduler(engine.config.databaseUrl!);
      startScheduler(engine.config.databaseUrl!);
      await waitFor(
        'both scheduler processes heart-beating',
        async () => (await db.selectFrom('job_scheduler_workers').select('pid').where('kind', '=', 'scheduler').where('status', '=', 'running').where('pid', '!=', process.pid).execute()).length >= 2 || null,
        60_000,
      );

      const due = new Date(Date.now() - 60_000);
      const targets = runners.map((r) => ({ kind: 'device', device_guid: r.agent.rowGuid }));
      const jobs = await db.transaction().execute(async (trx) => {
        const ids: number[] = [];
        for (let i = 0; i < OCCURRENCES; i++) ids.push(await insertJob(trx, { assemblyGuid: assembly, targets, schedule: { type: 'once', start: due.toISOString() }, nextOccurrenceAt: due }));
        return ids;
      });

      const settled = await waitFor(
        'every occurrence to succeed',
        async () => {
          const rows = await db.selectFrom('scheduled_job_occurrences').select(['job_id', 'status']).execute();
          return rows.length >= OCCURRENCES && rows.every((r) => r.status === 'Success') ? rows : null;
        },
        150_000,
      );
      expect(settled).toHaveLength(OCCURRENCES);
      expect(new Set(settled.map((o) => o.job_id))).toEqual(new Set(jobs));
      const executions = await db.selectFrom('activity_history').select(['id', 'device_guid', 'status']).execute();
      expect(executions).toHaveLength(OCCURRENCES * runners.length);
      expect(executions.every((e) => e.status === 'Success')).toBe(true);
      for (const runner of runners) {
        const delivered = runner.runs.map((r) => r.payload.job_id);
        expect(delivered).toHaveLength(OCCURRENCES); // no run delivered twice
        expect(new Set(delivered).size).toBe(OCCURRENCES);
        expect(runner.runs.every((r) => r.isSignatureValid)).toBe(true);
      }
      expect(await db.selectFrom('scheduled_job_runs').select('id').execute()).toHaveLength(OCCURRENCES * runners.length);
      const byWorker = await db.selectFrom('job_scheduler_work_items').select(['worker_guid', (eb) => eb.fn.countAll<string>().as('n')]).where('kind', '=', 'occurrence_materialize').groupBy('worker_guid').execute();
      console.log(`occurrences materialized per scheduler: ${byWorker.map((w) => w.n).join(', ')}`);
    } finally {
      for (const r of runners) r.close();
      for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await engine.close();
    }
  }, 240_000);

  it('a scheduler process launches a child site worker for a site with due work; the child runs it and the api engine delivers it', async () => {
    // An api-only engine: no scheduler loop and no in-process site workers of its own.
    const engine: TestEngine = await startTestEngine({ dialect: 'postgres', listen: true, env: { BOREALIS_ROLE: 'api' } });
    let runner: JobAgent | undefined;
    try {
      await setUpEngine(engine);
      const db = engine.engine.ctx.db;
      const site = await insertSite(engine, 'Branch office');
      const assembly = await insertEngineAssembly(engine, { name: 'Site work' });
      const connected = await JobAgent.connect(engine, await TestAgent.create(engine, { hostname: 'branch-01', siteId: site }));
      connected.answer = (payload) => {
        setImmediate(() => void connected.result(payload.job_id).catch(() => undefined));
        return { accepted: true };
      };
      runner = connected;
      const scheduler = startScheduler(engine.config.databaseUrl!);
      const due = new Date(Date.now() - 60_000);
      const job = await insertJob(db, { assemblyGuid: assembly, targets: [{ kind: 'device', device_guid: connected.agent.rowGuid }], schedule: { type: 'once', start: due.toISOString() }, nextOccurrenceAt: due });

      const occurrence = await waitFor(
        'the occurrence to succeed',
        async () => (await db.selectFrom('scheduled_job_occurrences').select(['id', 'status']).where('job_id', '=', job).where('status', '=', 'Success').executeTakeFirst()) ?? null,
        120_000,
      );
      expect(occurrence.status).toBe('Success');
      expect(connected.runs).toHaveLength(1);
      // The api engine may deliver the Pending execution by its own sweep before the child claims the
      // site's scheduled_run; the child then finds it settled and completes the item.
      const item = await waitFor(
        'the site worker to complete the scheduled run',
        async () => (await db.selectFrom('job_scheduler_work_items').select(['worker_guid', 'site_id', 'status']).where('kind', '=', 'scheduled_run').where('job_id', '=', job).where('status', '=', 'succeeded').executeTakeFirst()) ?? null,
        90_000,
      );
      expect(item.site_id).toBe(site);
      const worker = await db.selectFrom('job_scheduler_workers').select(['name', 'kind', 'launcher', 'site_id', 'pid']).where('worker_guid', '=', item.worker_guid!).executeTakeFirstOrThrow();
      expect(worker).toMatchObject({ kind: 'site_worker', launcher: 'child', site_id: site });
      expect(worker.name).toMatch(/^site-worker-[0-9a-f-]{36}$/);
      expect([process.pid, scheduler.pid]).not.toContain(worker.pid);
    } finally {
      runner?.close();
      for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await engine.close();
    }
  }, 180_000);

  it('kill -9 of the lease holder: re-claimed after expiry with attempt_count 2, completed once', async () => {
    t = await openSchedulingDb('postgres', 'sched_kill');
    const assembly = await insertAssembly(t.db);
    const device = await insertDevice(t.db, { online: true });
    const job = await insertJob(t.db, { assemblyGuid: assembly, targets: [{ kind: 'device', device_guid: device.guid }], schedule: { type: 'once', start: new Date().toISOString() }, nextOccurrenceAt: new Date() });
    const a = startScheduler(t.postgres!.url);
    const b = startScheduler(t.postgres!.url);

    // The online device's execution is never answered, so the scheduled_run keeps its lease.
    const held = await waitFor(
      'a held scheduled_run lease',
      () => t.db.selectFrom('job_scheduler_work_items').select(['id', 'lease_owner', 'attempt_count']).where('kind', '=', 'scheduled_run').where('status', '=', 'running').executeTakeFirst(),
      60_000,
    );
    expect(held.attempt_count).toBe(1);
    const holder = await t.db.selectFrom('job_scheduler_workers').select(['pid', 'name']).where('name', '=', held.lease_owner!).executeTakeFirstOrThrow();
    const victim = [a, b].find((c) => c.pid === holder.pid)!;
    expect(victim).toBeDefined();
    victim.kill('SIGKILL');
    const killedAt = Date.now();

    const reclaimed = await waitFor(
      'the re-claim by the other scheduler',
      () => t.db.selectFrom('job_scheduler_work_items').select(['lease_owner', 'attempt_count', 'status']).where('id', '=', held.id).where('attempt_count', '=', 2).where('status', '=', 'running').executeTakeFirst(),
      (LEASE_SECONDS + 20) * 1000,
    );
    expect(reclaimed.lease_owner).not.toBe(held.lease_owner);
    expect(Date.now() - killedAt).toBeLessThan((LEASE_SECONDS + 20) * 1000);

    // The agent's result arrives (as the quick-jobs result path records it); the run completes.
    await t.db.updateTable('activity_history').set({ status: 'Success', exit_code: 0, accepted_at: new Date(), finished_at: new Date() }).where('device_guid', '=', device.guid).execute();
    const done = await waitFor(
      'the item to finish',
      () => t.db.selectFrom('job_scheduler_work_items').select(['status', 'attempt_count']).where('id', '=', held.id).where('status', '=', 'succeeded').executeTakeFirst(),
      20_000,
    );
    expect(done.attempt_count).toBe(2);
    const occurrences = await t.db.selectFrom('scheduled_job_occurrences').select(['status']).where('job_id', '=', job).execute();
    expect(occurrences).toEqual([{ status: 'Success' }]);
    expect(await t.db.selectFrom('scheduled_job_runs').select('id').where('job_id', '=', job).execute()).toHaveLength(1);
    expect(await t.db.selectFrom('activity_history').select('id').where('device_guid', '=', device.guid).execute()).toHaveLength(1);
  }, 150_000);
});
