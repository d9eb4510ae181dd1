// Quick jobs end to end on both dialects (automation.md §2, §10 Q1–Q4; data-model DM15, DM21):
// dispatch validation and idempotency, targets and scope, signed delivery to a test agent on a real
// /agent socket, offline queueing until expiry, fan-in (batched, first result wins), cancel, output cap.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { createManualClock } from '../../clock';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine, signInAs, type SignedInAdmin } from '../../../test/factories';
import { engineSigningPublicKey, insertAssembly, JobAgent, openOperatorSocket, resultBody, until } from '../../../test/quick-job-fixtures';
import { insertSite, TestAgent } from '../../../test/test-agent';
import { QuickRunRequestSchema } from '@borealis/protocol';
import { createAssemblyService } from '../assemblies/assembly-service';
import { createDispatchService } from './dispatch-service';
import { quickJobAssembliesOf } from './register';

const START = '2026-11-26T06:00:00Z';

describe.each(DIALECTS)('quick jobs on %s', (dialect) => {
  const clock = createManualClock(START);
  let t: TestEngine;
  let admin: SignedInAdmin;
  let siteA: number;
  let siteB: number;
  let assembly: string;
  const open: Array<{ close(): unknown }> = [];

  beforeAll(async () => {
    t = await startTestEngine({ dialect, listen: true, clock, agent: { loops: false } });
    admin = await setUpEngine(t);
    siteA = await insertSite(t);
    siteB = await insertSite(t);
    assembly = await insertAssembly(t, { variables: [{ name: 'GREETING', type: 'string', default: 'hi' }], warningExitCodes: [3] });
  });
  afterAll(async () => {
    for (const o of open) o.close();
    await t?.close();
  });

  const runtime = () => t.engine.app!.quickJobs!;
  const db = () => t.engine.ctx.db;
  const quickRun = (body: Record<string, unknown>, headers: Record<string, string> = {}, client = admin.client) => client.post('/api/scripts/quick_run', body, { headers });
  const execution = (id: string) => db().selectFrom('activity_history').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const jobCount = async () => Number((await db().selectFrom('quick_jobs').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const connected = async (options: { siteId?: number; status?: 'active' | 'quarantined' } = {}) => {
    const agent = await TestAgent.create(t, { siteId: options.siteId ?? siteA, status: options.status });
    const runner = await JobAgent.connect(t, agent);
    open.push(runner);
    return runner;
  };

  describe('dispatch validation', () => {
    it('refuses upstream fields (legacy_field_unsupported), current_user (unsupported_run_mode) and creates nothing', async () => {
      const agent = await TestAgent.create(t, { siteId: siteA });
      const before = await jobCount();
      const legacy = await quickRun({ assembly_guid: assembly, hostnames: [agent.hostname], script_path: 'Scripts/x.sh' });
      expect(legacy.statusCode).toBe(422);
      expect(legacy.json().error.code).toBe('legacy_field_unsupported');
      const mode = await quickRun({ assembly_guid: assembly, hostnames: [agent.hostname], run_mode: 'current_user' });
      expect(mode.json().error.code).toBe('unsupported_run_mode');
      const none = await quickRun({ assembly_guid: assembly });
      expect(none.statusCode).toBe(422);
      const missing = await quickRun({ assembly_guid: '00000000-0000-4000-8000-00000000dead', hostnames: [agent.hostname] });
      expect(missing.statusCode).toBe(404);
      expect(await jobCount()).toBe(before);
    });

    it('a locked engine refuses dispatch with 423 engine_locked and writes nothing', async () => {
      const agent = await TestAgent.create(t, { siteId: siteA });
      // The HTTP gate closes while Aegis is locked, so the dispatcher is driven with a store that has no keyring.
      const locked = createDispatchService({
        db: db(),
        clock,
        audit: t.engine.ctx.security!.audit,
        assemblies: quickJobAssembliesOf(createAssemblyService({ db: db(), clock, keyring: null })),
        onCreated: () => undefined,
      });
      const before = await jobCount();
      const user = { user_id: admin.userId, role: 'admin' as const, username: admin.username };
      const body = QuickRunRequestSchema.parse({ assembly_guid: assembly, hostnames: [agent.hostname] });
      const actor = { type: 'user' as const, id: admin.userId, name: admin.username, ip: null, requestId: 'test' };
      await expect(locked.quickRun(user, body, actor, undefined)).rejects.toMatchObject({ code: 'engine_locked', status: 423 });
      expect(await jobCount()).toBe(before);
    });

    it('A4: a missing required variable names it; borealis_x is reserved', async () => {
      const agent = await TestAgent.create(t, { siteId: siteA });
      const strict = await insertAssembly(t, { variables: [{ name: 'SERVICE_NAME', type: 'string', required: true }] });
      const missing = await quickRun({ assembly_guid: strict, hostnames: [agent.hostname] });
      expect(missing.statusCode).toBe(422);
      expect(missing.json().error).toMatchObject({ code: 'missing_required_variables', names: ['SERVICE_NAME'] });
      const reserved = await quickRun({ assembly_guid: assembly, hostnames: [agent.hostname], variable_values: { borealis_x: '1' } });
      expect(reserved.json().error.code).toBe('reserved_variable_name');
    });

    it('Q4: an out-of-scope host name is 422 unknown_targets with no rows; a viewer gets 403', async () => {
      const inB = await TestAgent.create(t, { siteId: siteB });
      const scoped = await signInAs(t, { role: 'operator', siteIds: [{ siteId: siteA }] });
      const before = await jobCount();
      const res = await quickRun({ assembly_guid: assembly, hostnames: [inB.hostname, 'no-such-host'] }, {}, scoped.client);
      expect(res.statusCode).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'unknown_targets', values: [inB.hostname, 'no-such-host'] });
      expect(await jobCount()).toBe(before);
      const viewer = await signInAs(t, { role: 'viewer' });
      expect((await quickRun({ assembly_guid: assembly, hostnames: [inB.hostname] }, {}, viewer.client)).statusCode).toBe(403);
    });
  });

  describe('targets and scope', () => {
    it('site selectors are cut to scope; quarantined devices are Skipped; all-quarantined explicit targets are 403', async () => {
      const site = await insertSite(t);
      const other = await insertSite(t);
      const a1 = await TestAgent.create(t, { siteId: site });
      const q1 = await TestAgent.create(t, { siteId: site, status: 'quarantined' });
      await TestAgent.create(t, { siteId: other });
      const scoped = await signInAs(t, { role: 'operator', siteIds: [{ siteId: site }] });
      const res = await quickRun({ assembly_guid: assembly, targets: { site_ids: [site, other] } }, {}, scoped.client);
      expect(res.statusCode).toBe(202);
      const body = res.json();
      expect(body.target_count).toBe(2);
      expect(body.counts).toMatchObject({ total: 2, pending: 1, skipped: 1 });
      const byHost = new Map(body.results.map((r: { hostname: string }) => [r.hostname, r]));
      expect(byHost.get(a1.hostname)).toMatchObject({ status: 'Pending', phase: 'waiting_for_device', device_guid: a1.guid });
      expect(byHost.get(q1.hostname)).toMatchObject({ status: 'Skipped' });
      expect((await execution((byHost.get(q1.hostname) as { job_id: string }).job_id)).skip_reason).toBe('device_quarantined');

      const refused = await quickRun({ assembly_guid: assembly, targets: { device_guids: [q1.guid] } });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('device_quarantined');
      const unknownFilter = await quickRun({ assembly_guid: assembly, targets: { filter_id: 999_999 } });
      expect(unknownFilter.statusCode).toBe(422);
      expect(unknownFilter.json().error.code).toBe('unknown_targets');
    });

    it('a saved filter target is evaluated within the caller scope; nothing matching is 422 no_targets_resolved', async () => {
      const site = await insertSite(t);
      const other = await insertSite(t);
      const tag = `flt${Date.now().toString(36)}`;
      const inside = await TestAgent.create(t, { siteId: site, hostname: `${tag}-in` });
      const outside = await TestAgent.create(t, { siteId: other, hostname: `${tag}-out` });
      await TestAgent.create(t, { siteId: site, hostname: `other-${tag}` });
      const created = await admin.client.post('/api/device_filters', {
        name: `Filter ${tag}`,
        criteria: { groups: [{ conditions: [{ field: 'hostname', operator: 'begins_with', value: tag }] }] },
      });
      expect(created.statusCode, created.body).toBe(201);
      const filterId = (created.json() as { id: number }).id;

      const all = await quickRun({ assembly_guid: assembly, targets: { filter_id: filterId } });
      expect(all.statusCode, all.body).toBe(202);
      expect(all.json().results.map((r: { device_guid: string }) => r.device_guid).sort()).toEqual([inside.guid, outside.guid].sort());

      const scoped = await signInAs(t, { role: 'operator', siteIds: [{ siteId: site }] });
      const cut = await quickRun({ assembly_guid: assembly, targets: { filter_id: filterId } }, {}, scoped.client);
      expect(cut.statusCode, cut.body).toBe(202);
      expect(cut.json().results.map((r: { device_guid: string }) => r.device_guid)).toEqual([inside.guid]);

      const empty = await admin.client.post('/api/device_filters', {
        name: `Empty ${tag}`,
        criteria: { groups: [{ conditions: [{ field: 'hostname', operator: 'equals', value: `${tag}-nobody` }] }] },
      });
      expect(empty.statusCode, empty.body).toBe(201);
      const none = await quickRun({ assembly_guid: assembly, targets: { filter_id: (empty.json() as { id: number }).id } });
      expect(none.statusCode).toBe(422);
      expect(none.json().error.code).toBe('no_targets_resolved');
    });
  });

  describe('idempotency', () => {
    it('Q1: the same key and body replays (200, Idempotent-Replayed) without a second job; another body is 409', async () => {
      const agent = await TestAgent.create(t, { siteId: siteA });
      const body = { assembly_guid: assembly, hostnames: [agent.hostname], expires_in_seconds: 600 };
      const before = await jobCount();
      const first = await quickRun(body, { 'idempotency-key': 'k-q1' });
      expect(first.statusCode).toBe(202);
      const again = await quickRun(body, { 'idempotency-key': 'k-q1' });
      expect(again.statusCode).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json()).toEqual(first.json());
      expect(await jobCount()).toBe(before + 1);
      const other = await quickRun({ ...body, expires_in_seconds: 700 }, { 'idempotency-key': 'k-q1' });
      expect(other.statusCode).toBe(409);
      expect(other.json().error.code).toBe('idempotency_key_reused');
    });

    it('DM15: 20 concurrent requests with one key make one job and 19 replays', async () => {
      const agent = await TestAgent.create(t, { siteId: siteA });
      const body = { assembly_guid: assembly, hostnames: [agent.hostname] };
      const before = await jobCount();
      const all = await Promise.all(Array.from({ length: 20 }, () => quickRun(body, { 'idempotency-key': 'k-dm15' })));
      expect(all.map((r) => r.statusCode).sort()).toEqual([200, ...Array(18).fill(200), 202].sort());
      expect(new Set(all.map((r) => r.json().quick_job_id)).size).toBe(1);
      expect(await jobCount()).toBe(before + 1);
    });
  });

  describe('delivery and results', () => {
    it('signs per delivery and runs to Success; live output reaches job:<id> subscribers and late joiners', async () => {
      const runner = await connected();
      const operator = await openOperatorSocket(t.url!, `borealis_session=${admin.client.jar.get('borealis_session')}`);
      open.push(operator);
      const res = await quickRun({ assembly_guid: assembly, hostnames: [runner.agent.hostname], variable_values: { GREETING: 'hej' }, expires_in_seconds: 7200 });
      expect(res.statusCode).toBe(202);
      const { quick_job_id: quickJobId, results } = res.json();
      const jobId = results[0].job_id as string;
      const seen: Array<{ event: string; payload: Record<string, unknown> }> = [];
      for (const event of ['quick_job_target_changed', 'quick_job_output', 'quick_job_summary']) operator.on(event, (payload: Record<string, unknown>) => seen.push({ event, payload }));
      expect(await operator.timeout(5_000).emitWithAck('subscribe', { room: `job:${quickJobId}` })).toEqual({ ok: true });

      await until(() => runner.runs.length === 1);
      const { payload, isSignatureValid } = runner.runs[0]!;
      expect(isSignatureValid).toBe(true);
      const { keyId } = await engineSigningPublicKey(t);
      expect(payload).toMatchObject({ job_id: jobId, device_guid: runner.agent.guid, quick_job_id: quickJobId, script_type: 'bash', signing_key_id: keyId, sig_alg: 'ed25519', run_mode: 'system', warning_exit_codes: [3], output_max_bytes: 1024 * 1024 });
      expect(Buffer.from(payload.script_content, 'base64').toString()).toBe('echo hello\n');
      expect(payload.environment).toMatchObject({ GREETING: 'hej', BOREALIS_JOB_ID: jobId, BOREALIS_DEVICE_GUID: runner.agent.guid, BOREALIS_HOSTNAME: runner.agent.hostname });
      // not_after = min(expiry, issued_at + 24 h): the 2 h expiry here.
      expect(Date.parse(payload.not_after) - Date.parse(payload.issued_at)).toBe(7200 * 1000);
      await until(async () => (await execution(jobId)).status === 'Running');

      expect(await runner.progress({ job_id: jobId, phase: 'executing', pid: 4242 })).toEqual({ ok: true });
      expect(await runner.progress({ job_id: jobId, seq: 0, stream: 'stdout', chunk: 'hel', phase: 'executing' })).toEqual({ ok: true });
      expect(await runner.progress({ job_id: jobId, seq: 1, stream: 'stdout', chunk: 'lo\n', phase: 'executing' })).toEqual({ ok: true });
      await until(() => seen.filter((s) => s.event === 'quick_job_output').length === 2);
      expect(seen.filter((s) => s.event === 'quick_job_output').map((s) => s.payload)).toEqual([
        { quick_job_id: quickJobId, job_id: jobId, guid: runner.agent.guid, seq: 0, stream: 'stdout', chunk: 'hel' },
        { quick_job_id: quickJobId, job_id: jobId, guid: runner.agent.guid, seq: 1, stream: 'stdout', chunk: 'lo\n' },
      ]);
      // Late joiners read the stored chunks while the job runs.
      await until(async () => (await admin.client.get(`/api/device/activity/job/${jobId}`)).json().live_output.length === 2);

      expect(await runner.result(jobId)).toEqual({ ok: true });
      const row = await execution(jobId);
      expect(row).toMatchObject({ status: 'Success', exit_code: 0, stdout: 'hello\n', duration_ms: 1000 });
      expect(await db().selectFrom('activity_output_chunks').selectAll().where('activity_id', '=', jobId).execute()).toEqual([]);
      await until(() => seen.some((s) => s.event === 'quick_job_target_changed' && s.payload.status === 'Success'));
      await until(() => seen.some((s) => s.event === 'quick_job_summary' && (s.payload.counts as { success: number }).success === 1));
      const job = (await admin.client.get(`/api/quick_jobs/${quickJobId}`)).json();
      expect(job.counts).toMatchObject({ total: 1, success: 1, pending: 0, running: 0 });
      expect(job.finished_at).not.toBeNull();
    });

    it('Q3: exit 0 / a warning code / 1 become Success / Warning / Failed; an agent refusal is Failed with its code', async () => {
      const runners = [await connected(), await connected(), await connected(), await connected()];
      runners[3]!.answer = () => ({ accepted: false, error_code: 'interpreter_not_found' });
      const res = await quickRun({ assembly_guid: assembly, hostnames: runners.map((r) => r.agent.hostname) });
      await until(() => runners.every((r) => r.runs.length === 1));
      const jobOf = (r: JobAgent) => r.runs[0]!.payload.job_id;
      await until(async () => (await execution(jobOf(runners[3]!))).status === 'Failed');
      expect((await execution(jobOf(runners[3]!))).error_code).toBe('interpreter_not_found');
      // The agent's status is not trusted: the engine recomputes it from exit_code.
      await runners[0]!.result(jobOf(runners[0]!), { status: 'Failed', exit_code: 0 });
      await runners[1]!.result(jobOf(runners[1]!), { status: 'Failed', exit_code: 3 });
      await runners[2]!.result(jobOf(runners[2]!), { status: 'Success', exit_code: 1 });
      expect((await execution(jobOf(runners[0]!))).status).toBe('Success');
      expect((await execution(jobOf(runners[1]!))).status).toBe('Warning');
      expect((await execution(jobOf(runners[2]!))).status).toBe('Failed');
      expect(res.statusCode).toBe(202);
    });

    it('DM21: results arriving together are written in one transaction; a duplicate leaves the first result; a foreign id is unknown_job', async () => {
      const runners = await Promise.all(Array.from({ length: 12 }, () => connected()));
      await quickRun({ assembly_guid: assembly, hostnames: runners.map((r) => r.agent.hostname) });
      await until(() => runners.every((r) => r.runs.length === 1));
      const fanIn = runtime().fanIn;
      await fanIn.flush();
      const before = fanIn.stats.transactions;
      const outcomes = await Promise.all(runners.map((r) => fanIn.result(r.agent.guid, resultBody(r.runs[0]!.payload.job_id) as never)));
      expect(outcomes.every((o) => o === 'ok')).toBe(true);
      expect(fanIn.stats.transactions - before).toBe(1);

      const first = runners[0]!;
      const jobId = first.runs[0]!.payload.job_id;
      expect(await first.result(jobId, { exit_code: 1, status: 'Failed', stdout: 'second' })).toEqual({ ok: true });
      expect(await execution(jobId)).toMatchObject({ status: 'Success', stdout: 'hello\n' });
      const foreign = await runners[1]!.result(jobId);
      expect(foreign).toMatchObject({ ok: false, error: { code: 'unknown_job' } });
    });

    it('Q3: a 3 MiB stdout via the result route is stored capped with the marker, both ends intact', async () => {
      const runner = await connected();
      await quickRun({ assembly_guid: assembly, hostnames: [runner.agent.hostname] });
      await until(() => runner.runs.length === 1);
      const jobId = runner.runs[0]!.payload.job_id;
      const big = `HEAD${'x'.repeat(3 * 1024 * 1024 - 8)}TAIL`;
      const res = await runner.agent.call('POST', `/api/agent/jobs/${jobId}/result`, resultBody(jobId, { stdout: big, stdout_total_bytes: big.length }), { gzip: true });
      expect(res.statusCode).toBe(200);
      const row = await execution(jobId);
      expect(row.stdout_truncated).toBe(true);
      expect(Number(row.stdout_total_bytes)).toBe(3145728);
      expect(Buffer.byteLength(row.stdout!)).toBeLessThanOrEqual(1024 * 1024 + 64);
      expect(row.stdout!.startsWith('HEAD')).toBe(true);
      expect(row.stdout!.endsWith('TAIL')).toBe(true);
      expect(row.stdout).toContain(`\n[... truncated ${3145728 - 1024 * 1024} bytes ...]\n`);
      const unknown = await runner.agent.call('POST', '/api/agent/jobs/00000000-0000-4000-8000-000000000001/result', resultBody('00000000-0000-4000-8000-000000000001'));
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json<{ error: { code: string } }>().error.code).toBe('unknown_job');
    });
  });

  describe('offline targets', () => {
    it('Q2: an offline device connecting before expiry runs the job; one never connecting is Expired and gets nothing later', async () => {
      clock.set(START);
      const late = await TestAgent.create(t, { siteId: siteA });
      const never = await TestAgent.create(t, { siteId: siteA });
      const res = await quickRun({ assembly_guid: assembly, hostnames: [late.hostname, never.hostname], expires_in_seconds: 120 });
      const byHost = new Map<string, string>(res.json().results.map((r: { hostname: string; job_id: string }) => [r.hostname, r.job_id]));
      clock.advance(60_000);
      const runner = await JobAgent.connect(t, late);
      open.push(runner);
      await until(() => runner.runs.length === 1);
      expect(runner.runs[0]!.payload.job_id).toBe(byHost.get(late.hostname));
      // not_after = expiry (60 s left), not issued_at + 24 h.
      expect(Date.parse(runner.runs[0]!.payload.not_after)).toBe(Date.parse(START) + 120_000);
      await runner.result(byHost.get(late.hostname)!);
      expect((await execution(byHost.get(late.hostname)!)).status).toBe('Success');

      clock.advance(70_000);
      await runtime().sweep();
      expect(await execution(byHost.get(never.hostname)!)).toMatchObject({ status: 'Expired', error_code: 'device_offline' });
      const afterwards = await JobAgent.connect(t, never);
      open.push(afterwards);
      await runtime().sweep();
      await runtime().delivery.idle();
      expect(afterwards.runs).toEqual([]);
    });

    it('on connect a device gets its pending jobs oldest first with at most 20 unacknowledged', async () => {
      const agent = await TestAgent.create(t, { siteId: siteA });
      const ids: string[] = [];
      for (let i = 0; i < 25; i += 1) {
        clock.advance(1);
        ids.push((await quickRun({ assembly_guid: assembly, hostnames: [agent.hostname] })).json().results[0].job_id as string);
      }
      const runner = await JobAgent.connect(t, agent, { answer: () => 'hold' });
      open.push(runner);
      await until(() => runner.runs.length === 20);
      await new Promise((r) => setTimeout(r, 300));
      expect(runner.runs.length).toBe(20);
      expect(runner.runs.map((r) => r.payload.job_id)).toEqual(ids.slice(0, 20));
      runner.answer = () => ({ accepted: true });
      for (const release of runner.held.splice(0)) release();
      await until(() => runner.runs.length === 25);
      expect(runner.runs.slice(20).map((r) => r.payload.job_id)).toEqual(ids.slice(20));
    });

    it('an Expired target takes the result of an agent that accepted it before expiry; any other terminal row keeps its first result', async () => {
      const agent = await TestAgent.create(t, { siteId: siteA });
      const res = await quickRun({ assembly_guid: assembly, hostnames: [agent.hostname], expires_in_seconds: 60 });
      const jobId = res.json().results[0].job_id as string;
      const created = Date.parse(res.json().expires_at) - 60_000;
      clock.advance(61_000);
      await runtime().sweep();
      expect((await execution(jobId)).status).toBe('Expired');
      const runner = await JobAgent.connect(t, agent);
      open.push(runner);
      // Accepted after expiry: ignored.
      await runner.result(jobId, { accepted_at: new Date(created + 61_000).toISOString() });
      expect((await execution(jobId)).status).toBe('Expired');
      await runner.result(jobId, { accepted_at: new Date(created + 30_000).toISOString() });
      expect((await execution(jobId)).status).toBe('Success');
    });

    it('a silent agent keeps the target Pending for redelivery; the Timed Out backstop ends an accepted job without a result', async () => {
      const runner = await connected();
      runner.answer = () => null;
      const res = await quickRun({ assembly_guid: assembly, hostnames: [runner.agent.hostname], timeout_seconds: 5 });
      const jobId = res.json().results[0].job_id as string;
      await until(() => runner.runs.length === 1);
      await runtime().delivery.idle();
      expect(await execution(jobId)).toMatchObject({ status: 'Pending', phase: 'waiting_for_device' });
      runner.answer = () => ({ accepted: true });
      clock.advance(31_000);
      await runtime().sweep();
      await runtime().delivery.idle();
      expect(runner.runs.length).toBe(2);
      expect((await execution(jobId)).status).toBe('Running');
      clock.advance(126_000);
      await runtime().sweep();
      expect(await execution(jobId)).toMatchObject({ status: 'Timed Out', error_code: 'timeout' });
    });
  });

  describe('cancel and reads', () => {
    it('Q4: cancel turns Pending into Cancelled (never delivered) and asks the agent to stop Running; unconfirmed after 60 s', async () => {
      const runner = await connected();
      const offline = await TestAgent.create(t, { siteId: siteA });
      const confirmer = await connected();
      const res = await quickRun({ assembly_guid: assembly, hostnames: [runner.agent.hostname, offline.hostname, confirmer.agent.hostname] });
      const quickJobId = res.json().quick_job_id as string;
      await until(() => runner.runs.length === 1 && confirmer.runs.length === 1);
      const ids = new Map<string, string>(res.json().results.map((r: { hostname: string; job_id: string }) => [r.hostname, r.job_id]));
      await until(async () => (await execution(ids.get(runner.agent.hostname)!)).status === 'Running' && (await execution(ids.get(confirmer.agent.hostname)!)).status === 'Running');

      const cancel = await admin.client.post(`/api/quick_jobs/${quickJobId}/cancel`, {});
      expect(cancel.statusCode).toBe(202);
      expect(cancel.json().cancelled).toEqual([ids.get(offline.hostname)]);
      expect([...cancel.json().cancelling].sort()).toEqual([ids.get(runner.agent.hostname), ids.get(confirmer.agent.hostname)].sort());
      await until(() => runner.cancels.length === 1 && confirmer.cancels.length === 1);
      await confirmer.result(ids.get(confirmer.agent.hostname)!, { status: 'Cancelled', exit_code: null, signal: 'SIGTERM' });
      expect(await execution(ids.get(confirmer.agent.hostname)!)).toMatchObject({ status: 'Cancelled', cancel_confirmed: true });

      const late = await JobAgent.connect(t, offline);
      open.push(late);
      await runtime().sweep();
      await runtime().delivery.idle();
      expect(late.runs).toEqual([]);

      clock.advance(61_000);
      await runtime().sweep();
      expect(await execution(ids.get(runner.agent.hostname)!)).toMatchObject({ status: 'Cancelled', cancel_confirmed: false });
    });

    it('lists jobs and targets with cursors and status filter; device activity reads and clears finished rows', async () => {
      const runner = await connected();
      const res = await quickRun({ assembly_guid: assembly, hostnames: [runner.agent.hostname] });
      const quickJobId = res.json().quick_job_id as string;
      await until(() => runner.runs.length === 1);
      const jobId = runner.runs[0]!.payload.job_id;
      await runner.result(jobId, { stdout: 'done\n' });

      const page1 = (await admin.client.get('/api/quick_jobs?limit=1')).json();
      expect(page1.quick_jobs).toHaveLength(1);
      expect(page1.next_cursor).not.toBeNull();
      const page2 = (await admin.client.get(`/api/quick_jobs?limit=1&cursor=${page1.next_cursor}`)).json();
      expect(page2.quick_jobs[0].quick_job_id).not.toBe(page1.quick_jobs[0].quick_job_id);
      const targets = (await admin.client.get(`/api/quick_jobs/${quickJobId}/targets?status=Success`)).json();
      expect(targets.targets).toEqual([expect.objectContaining({ job_id: jobId, status: 'Success', exit_code: 0, stdout_excerpt: 'done\n' })]);
      expect((await admin.client.get(`/api/quick_jobs/${quickJobId}/targets?status=Failed`)).json().targets).toEqual([]);

      const history = (await admin.client.get(`/api/device/activity/${runner.agent.hostname}`)).json();
      expect(history.history).toEqual([expect.objectContaining({ id: jobId, status: 'Success', has_stdout: true, script_name: 'Probe' })]);
      const detail = (await admin.client.get(`/api/device/activity/job/${jobId}`)).json();
      expect(detail).toMatchObject({ id: jobId, stdout: 'done\n', live_output: [] });
      const cleared = await admin.client.delete(`/api/device/activity/${runner.agent.hostname}`);
      expect(cleared.json()).toEqual({ deleted: 1 });
      expect((await admin.client.get(`/api/device/activity/job/${jobId}`)).statusCode).toBe(404);

      const scoped = await signInAs(t, { role: 'operator', siteIds: [{ siteId: siteB }] });
      expect((await scoped.client.get(`/api/quick_jobs/${quickJobId}`)).statusCode).toBe(404);
      const socket: Socket = await openOperatorSocket(t.url!, `borealis_session=${scoped.client.jar.get('borealis_session')}`);
      open.push(socket);
      expect(await socket.timeout(5_000).emitWithAck('subscribe', { room: `job:${quickJobId}` })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    });
  });
});
