// Quick jobs end to end (issue 7 acceptance 3; agent-protocol.md §6): the real single-file agent,
// enrolled and approved on a real engine, runs the official "Linux - Disk Usage" assembly
// dispatched through POST /api/scripts/quick_run and the execution stores Success/Warning with
// the real df output; a payload tampered after signing is refused with signature_invalid; a job
// cut off by killing the agent is reported Failed/agent_restarted when it starts again (P19).
import { execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHome, startTestEngine, type TestEngine } from '@borealis/engine/testing';
import { setUpEngine, type SignedInAdmin } from '@borealis/engine/testing/factories';
import { buildAgentBundle } from '../src/build/bundle';
import { freePort, spawnAgentProcess, until, WAIT_MS } from './real-agent-process';
import { makeAgentRoot, removeAgentRoots } from './agent-root';
import type { AgentPaths } from '../src/paths/agent-paths';

let bundle: string;
let work: string;
let home: string;
let url: string;
let t: TestEngine;
let admin: SignedInAdmin;
let paths: AgentPaths;
let caFile: string;
let siteCode: string;
const children: ChildProcess[] = [];

function spawnAgent(args: string[]) {
  return spawnAgentProcess(bundle, paths.root, args, children);
}

/** Pids of processes running a job's script (its bash has the job dir on its command line). */
function jobProcesses(jobId: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', `jobs/${jobId}/script`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
const jobIds: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'borealis-agent-jobs-e2e-'));
  bundle = (await buildAgentBundle({ outfile: join(work, 'borealis-agent.mjs') })).outfile;
  home = makeHome();
  const port = await freePort();
  url = `https://127.0.0.1:${port}`;
  t = await startTestEngine({ dialect: 'pglite', listen: true, home, env: { BOREALIS_TLS: 'on', BOREALIS_PORT: String(port), BOREALIS_PUBLIC_URL: url } });
  admin = await setUpEngine(t);
  const site = await admin.client.post('/api/sites', { name: 'Jobs lab' });
  if (site.statusCode !== 201) throw new Error(`site: ${site.body}`);
  siteCode = (site.json() as { enrollment_code: string }).enrollment_code;
  const caPem = t.engine.ctx.agentTrust?.caPem;
  if (!caPem) throw new Error('the TLS test engine has no local CA');
  caFile = join(work, 'engine-ca.pem');
  writeFileSync(caFile, caPem);
  paths = makeAgentRoot();
}, 180_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  // Never leave a job's process group behind, whatever failed.
  for (const id of jobIds) for (const pid of jobProcesses(id)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await t?.close();
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  removeAgentRoots();
}, 60_000);

describe('quick jobs between the real agent and the real engine', () => {
  it('runs the official Linux - Disk Usage assembly to Success/Warning with the real df output, and refuses a tampered payload', async () => {
    // Enrol and approve.
    const enroll = spawnAgent(['enroll', '--server-url', url, '--site-enrollment-code', siteCode, '--engine-ca-pem', caFile]);
    const approval = await until('a pending approval', async () => {
      const res = await admin.client.get('/api/admin/device-approvals?status=pending');
      return ((res.json() as { approvals?: Array<{ id: string; status: string }> }).approvals ?? []).find((r) => r.status === 'pending');
    }, WAIT_MS, enroll.output);
    expect((await admin.client.post(`/api/admin/device-approvals/${approval.id}/approve`, {})).statusCode).toBe(200);
    expect(await enroll.exited).toBe(0);
    const file = JSON.parse(readFileSync(paths.configFile, 'utf8')) as { agent: { guid: string }; trust?: { signing_keys?: unknown[] } };
    const guid = file.agent.guid;
    expect(file.trust?.signing_keys?.length).toBe(1);

    // Run, and capture what the engine sends this agent (a test-side Socket.IO hook).
    const run = spawnAgent(['run']);
    const ns = t.engine.ctx.realtime!.io.of('/agent');
    const sent: unknown[] = [];
    const registration = await until('the agent registered', () => {
      const socket = [...ns.sockets.values()].find((s) => s.rooms.has(`device:${guid}`));
      return socket;
    }, WAIT_MS, run.output);
    registration.onAnyOutgoing((event: string, payload: unknown) => {
      if (event === 'quick_job_run') sent.push(payload);
    });
    const host = await until('the device row', async () => {
      const row = await t.engine.ctx.db.selectFrom('devices').select(['hostname']).where('guid', '=', guid.toLowerCase()).executeTakeFirst();
      return row?.hostname;
    }, WAIT_MS, run.output);

    // The official assembly, through the operator API.
    const list = await admin.client.get('/api/assemblies?q=Disk%20Usage');
    expect(list.statusCode, list.body).toBe(200);
    const disk = (list.json() as { items: Array<{ assembly_guid: string; display_name: string }> }).items.find((a) => a.display_name === 'Linux - Disk Usage');
    expect(disk).toBeDefined();
    const dispatched = await admin.client.post('/api/scripts/quick_run', { assembly_guid: disk!.assembly_guid, hostnames: [host], variable_values: { WARN_PERCENT: 100 } });
    expect(dispatched.statusCode, dispatched.body).toBe(202);
    const jobId = (dispatched.json() as { results: Array<{ job_id: string }> }).results[0]!.job_id;
    const execution = await until('a final status', async () => {
      const row = await t.engine.ctx.db.selectFrom('activity_history').selectAll().where('id', '=', jobId).executeTakeFirst();
      return row && !['Pending', 'Running'].includes(row.status) ? row : undefined;
    }, WAIT_MS, run.output);
    expect(['Success', 'Warning']).toContain(execution.status);
    expect(execution.stdout).toContain('Filesystem');
    expect(execution.stdout).toMatch(/\/\s*$|\s\/\n/m);
    // The job directory is gone once the result was acked.
    await until('job dir removed', () => (existsSync(join(paths.stateDir, 'jobs', jobId)) ? undefined : true), 10_000);

    // Tamper with the real signed delivery: new script bytes (and their hash) after signing.
    expect(sent).toHaveLength(1);
    const marker = join(work, 'tampered-ran');
    const evil = Buffer.from(`touch ${marker}\n`);
    const tampered = { ...(sent[0] as Record<string, unknown>), script_content: evil.toString('base64'), script_sha256: createHash('sha256').update(evil).digest('hex') };
    const answers = (await ns.to(`device:${guid}`).timeout(15_000).emitWithAck('quick_job_run', tampered)) as unknown[];
    expect(answers).toEqual([{ accepted: false, error_code: 'signature_invalid' }]);
    // Script bytes changed but the signed hash kept: the hash check refuses it.
    const flipped = { ...(sent[0] as Record<string, unknown>), script_content: evil.toString('base64') };
    expect(await ns.to(`device:${guid}`).timeout(15_000).emitWithAck('quick_job_run', flipped)).toEqual([{ accepted: false, error_code: 'hash_mismatch' }]);
    await new Promise((r) => setTimeout(r, 500));
    expect(existsSync(marker)).toBe(false);
    expect(run.output()).not.toContain('"level":"error"');

    // P19: the agent killed mid-job reports the job Failed/agent_restarted on its next start.
    const created = await admin.client.post('/api/assemblies', {
      display_name: 'Sleeper',
      payload: { version: 1, name: 'Sleeper', type: 'bash', script: 'sleep 600\n', script_encoding: 'plain', platforms: ['linux'] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const sleeper = (created.json() as { assembly_guid: string }).assembly_guid;
    const long = await admin.client.post('/api/scripts/quick_run', { assembly_guid: sleeper, hostnames: [host] });
    expect(long.statusCode, long.body).toBe(202);
    const longId = (long.json() as { results: Array<{ job_id: string }> }).results[0]!.job_id;
    jobIds.push(longId);
    await until('the job running', async () => {
      const row = await t.engine.ctx.db.selectFrom('activity_history').select(['status', 'started_at']).where('id', '=', longId).executeTakeFirst();
      return row?.status === 'Running' && row.started_at ? true : undefined;
    }, WAIT_MS, run.output);
    run.child.kill('SIGKILL');
    await run.exited;
    expect(jobProcesses(longId).length).toBeGreaterThan(0); // orphaned while the agent is down
    const again = spawnAgent(['run']);
    const cut = await until('Failed/agent_restarted', async () => {
      const row = await t.engine.ctx.db.selectFrom('activity_history').selectAll().where('id', '=', longId).executeTakeFirst();
      return row && row.status !== 'Running' && row.status !== 'Pending' ? row : undefined;
    }, WAIT_MS, again.output);
    expect(cut).toMatchObject({ status: 'Failed', error_code: 'agent_restarted' });
    // The restarted agent stopped what was left of it.
    await until('leftovers stopped', () => (jobProcesses(longId).length === 0 ? true : undefined), 10_000);
    expect(await new Promise((r) => setTimeout(() => r(jobProcesses(longId)), 200))).toEqual([]);
  }, 300_000);
});
