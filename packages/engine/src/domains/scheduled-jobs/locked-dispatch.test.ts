// Conformance S5, scheduler half (security.md §2.4, §12; automation.md §4.5), on PGlite and
// PostgreSQL with the injected clock: after a restart that leaves Aegis locked, an enrolled agent
// refreshes, heartbeats and connects, a due scheduled job's dispatch item is released with
// `error = engine_locked` (attempt not counted) and nothing is dispatched; after unlock it runs.

import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeartbeatAckSchema } from '@borealis/protocol/agent';
import { createManualClock } from '../../clock';
import { createPostgresDatabase, DIALECTS, type TestPostgresDatabase } from '../../../test/databases';
import { makeHome, startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine, TEST_PASSPHRASE } from '../../../test/factories';
import { operatorClient } from '../../../test/operator-client';
import { insertAssembly, JobAgent, until } from '../../../test/quick-job-fixtures';
import { TestAgent } from '../../../test/test-agent';

const START = '2026-11-26T06:00:00Z';
const DUE = '2026-11-26T06:10:00Z';

describe.each(DIALECTS)('S5: scheduled dispatch while Aegis is locked on %s', (dialect) => {
  const clock = createManualClock(START);
  const home = makeHome();
  let postgres: TestPostgresDatabase | undefined;
  let t: TestEngine;
  let agent: TestAgent;
  let runner: JobAgent | undefined;
  let jobId: number;

  const start = async () => {
    t = await startTestEngine({ dialect, home, postgres, clock, listen: true, agent: { loops: false, shutdownGraceMs: 100 } });
    return t;
  };
  const dispatchItems = () =>
    t.engine.ctx.db.selectFrom('job_scheduler_work_items').select(['status', 'error', 'attempt_count', 'lease_owner', 'available_at']).where('kind', '=', 'scheduled_run').where('job_id', '=', jobId).execute();
  const executions = () =>
    t.engine.ctx.db.selectFrom('activity_history as e').innerJoin('scheduled_job_runs as r', 'r.id', 'e.run_id').select(['e.id', 'e.status', 'e.dispatched_at']).where('r.job_id', '=', jobId).execute();

  beforeAll(async () => {
    if (dialect === 'postgres') postgres = await createPostgresDatabase('locked_dispatch');
    await start();
    const admin = await setUpEngine(t);
    const assembly = await insertAssembly(t);
    agent = await TestAgent.create(t);
    const created = await admin.client.post('/api/scheduled_jobs', {
      name: 'After the restart',
      components: [{ assembly_guid: assembly }],
      targets: [{ kind: 'device', device_guid: agent.guid.toLowerCase() }],
      schedule: { type: 'once', start: DUE.slice(0, 16), timezone: 'UTC' },
    });
    expect(created.statusCode, created.body).toBe(201);
    jobId = (created.json() as { id: number }).id;
    await t.close();
    await start();
    agent.useEngine(t);
  });
  afterAll(async () => {
    runner?.close();
    await t?.close();
    await postgres?.drop();
    rmSync(home, { recursive: true, force: true });
  });

  it('the restarted engine is locked; the agent refreshes, connects and heartbeats', async () => {
    const state = await operatorClient(t.engine.app!).get('/api/bootstrap/state');
    expect(state.json()).toMatchObject({ phase: 'aegis_unlock_required', locked: true });
    expect((await agent.refresh()).statusCode).toBe(200);
    runner = await JobAgent.connect(t, agent);
    const ack = await runner.socket.timeout(5_000).emitWithAck('agent_heartbeat', agent.heartbeat(1));
    expect(HeartbeatAckSchema.parse(ack).ok).toBe(true);
    expect(t.engine.ctx.agents!.store.isOnline(agent.guid)).toBe(true);
  });

  it('a due job materializes, its dispatch item is released with engine_locked and nothing is dispatched', async () => {
    clock.set(DUE);
    await until(async () => (await dispatchItems()).some((i) => i.error === 'engine_locked'), 20_000);
    const [item] = await dispatchItems();
    expect(item).toMatchObject({ status: 'queued', error: 'engine_locked', attempt_count: 0, lease_owner: null });
    expect(item!.available_at.getTime()).toBe(Date.parse(DUE) + 30_000);
    // Ticks keep coming while locked; the item stays released and the agent hears nothing.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(runner!.runs).toEqual([]);
    const execs = await executions();
    expect(execs).toHaveLength(1);
    expect(execs[0]).toMatchObject({ status: 'Pending', dispatched_at: null });
  });

  it('after unlock the released item is claimed again and the job is delivered, signed', async () => {
    const unlocked = await operatorClient(t.engine.app!).post('/api/bootstrap/aegis/unlock', { cipher: TEST_PASSPHRASE });
    expect(unlocked.json()).toMatchObject({ phase: 'login_required', locked: false });
    clock.advance(31_000);
    await until(() => runner!.runs.length > 0, 20_000);
    expect(runner!.runs).toHaveLength(1);
    expect(runner!.runs[0]!.isSignatureValid).toBe(true);
    const [exec] = await executions();
    expect(runner!.runs[0]!.payload.job_id).toBe(exec!.id);
    expect(exec!.dispatched_at).not.toBeNull();
  });
});
