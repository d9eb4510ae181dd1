// Conformance P17–P20 (agent-protocol.md §12) against real processes: outcomes, caps, the
// environment, refusals, duplicates, results across a socket drop and a restart.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createJobJournal } from './job-journal';
import { engineEnd, GUID, jobPayload, makeExecutor, runToResult } from './job-test-kit';
import type { JobExecutor } from './job-executor';

const executors: JobExecutor[] = [];
afterEach(() => {
  for (const e of executors.splice(0)) e.stop();
});
async function setup() {
  const end = engineEnd();
  const made = await makeExecutor(end);
  executors.push(made.executor);
  return { end, ...made };
}
/** Processes of the job's group (leader pid from the `executing` phase), once the kernel has reaped them (≤2 s). */
async function groupProcesses(end: { progress: Array<Record<string, unknown>> }, jobId: string): Promise<string> {
  const pgid = end.progress.find((p) => p.job_id === jobId && typeof p.pid === 'number')?.pid;
  expect(pgid).toBeTypeOf('number');
  let left = '';
  for (let i = 0; i < 20; i++) {
    try {
      left = execFileSync('ps', ['-o', 'pid=,stat=', '-g', String(pgid)], { encoding: 'utf8' }).trim();
    } catch {
      left = '';
    }
    // Zombies waiting for PID 1 to reap them are not running processes.
    left = left.split('\n').filter((l) => l.trim() !== '' && !/\sZ/.test(l)).join('\n');
    if (left === '') return '';
    await new Promise((r) => setTimeout(r, 100));
  }
  return left;
}

describe('P18 job outcomes', () => {
  it('P18 exit 0 → Success, a warning code → Warning, exit 1 → Failed, SIGSEGV → Failed/signal', async () => {
    const { executor, end } = await setup();
    const ok = await runToResult(executor, end, jobPayload('echo hello'));
    expect(ok).toMatchObject({ status: 'Success', exit_code: 0, stdout: 'hello\n', signal: null });
    const warn = await runToResult(executor, end, jobPayload('exit 3', { warning_exit_codes: [3] }));
    expect(warn).toMatchObject({ status: 'Warning', exit_code: 3 });
    const failed = await runToResult(executor, end, jobPayload('echo oops >&2; exit 1'));
    expect(failed).toMatchObject({ status: 'Failed', exit_code: 1, stderr: 'oops\n' });
    const segv = await runToResult(executor, end, jobPayload('kill -SEGV $$'));
    expect(segv).toMatchObject({ status: 'Failed', signal: 'SIGSEGV', error_code: 'signal', exit_code: null });
  });

  it('P18 sleep 60 with timeout 5 → Timed Out within 16 s and no process left', async () => {
    const { executor, end } = await setup();
    const started = Date.now();
    const payload = jobPayload('sleep 60; echo never', { timeout_seconds: 5 });
    const result = await runToResult(executor, end, payload);
    expect(result).toMatchObject({ status: 'Timed Out', error_code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(16_000);
    expect(await groupProcesses(end, payload.job_id)).toBe('');
  }, 20_000);

  it('P18 cancel of sleep 600 → Cancelled within 12 s', async () => {
    const { executor, end } = await setup();
    const payload = jobPayload('sleep 600');
    expect(await executor.handleRun(payload)).toEqual({ accepted: true });
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 300));
    expect(executor.handleCancel({ job_id: payload.job_id, reason: 'operator_cancel', requested_by: 'op' })).toEqual({ ok: true, state: 'cancelling' });
    await executor.settled(payload.job_id);
    expect(end.results.find((r) => r.job_id === payload.job_id)).toMatchObject({ status: 'Cancelled' });
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(await groupProcesses(end, payload.job_id)).toBe('');
  }, 15_000);

  it('P18 3 MiB of output is capped with the marker and stdout_total_bytes 3145728', async () => {
    const { executor, end } = await setup();
    const result = await runToResult(executor, end, jobPayload('head -c 3145728 /dev/zero | tr "\\0" a'));
    expect(result.stdout_total_bytes).toBe(3_145_728);
    expect(result.stdout_truncated).toBe(true);
    const dropped = 3_145_728 - 1024 * 1024;
    expect(result.stdout).toBe(`${'a'.repeat(512 * 1024)}\n[... truncated ${dropped} bytes ...]\n${'a'.repeat(512 * 1024)}`);
    // Over 512 KiB of JSON: delivered over REST, not the socket.
    expect(end.posted.map((r) => r.job_id)).toContain(result.job_id);
  }, 30_000);
});

describe('P20 process context', () => {
  it('P20 env shows only the documented variables plus environment{}, cwd is the job dir, stdin empty, dir gone after ack', async () => {
    const { executor, end, stateDir } = await setup();
    const payload = jobPayload('env | cut -d= -f1 | sort; echo "cwd=$PWD"; echo "stdin=$(cat)"; echo "umask=$(umask)"; echo "tmp=$TMPDIR"', { environment: { BOREALIS_DEVICE_GUID: GUID, MY_VAR: 'x' } });
    const result = await runToResult(executor, end, payload);
    const lines = result.stdout.trim().split('\n');
    const names = lines.filter((l) => !l.includes('='));
    // bash itself adds PWD, SHLVL and _ (not inherited from the agent).
    expect(names.filter((n) => !['PWD', 'SHLVL', '_', 'OLDPWD'].includes(n))).toEqual(
      ['BOREALIS_DEVICE_GUID', 'DEBIAN_FRONTEND', 'HOME', 'LANG', 'LOGNAME', 'MY_VAR', 'NO_COLOR', 'PATH', 'SHELL', 'TERM', 'TMPDIR', 'USER'],
    );
    const jobDir = join(stateDir, 'jobs', payload.job_id);
    expect(lines).toContain(`cwd=${jobDir}`);
    expect(lines).toContain('stdin=');
    expect(lines).toContain('umask=0022');
    expect(lines).toContain(`tmp=${jobDir}/tmp`);
    expect(existsSync(jobDir)).toBe(false);
  });
});

describe('P17 refusals', () => {
  it('P17 refusals answer the error code and nothing runs', async () => {
    const { executor } = await setup();
    const dir = mkdtempSync(join(tmpdir(), 'borealis-p17-'));
    const marker = join(dir, 'ran');
    const script = `touch ${marker}`;
    const good = jobPayload(script);
    const flipped = Buffer.from(good.script_content, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    expect(await executor.handleRun({ ...good, script_content: flipped.toString('base64') })).toEqual({ accepted: false, error_code: 'hash_mismatch' });
    expect(await executor.handleRun({ ...good, environment: { X: '1' } })).toEqual({ accepted: false, error_code: 'signature_invalid' });
    expect(await executor.handleRun(jobPayload(script, { device_guid: '0A1B2C3D-0000-4000-8000-00000000FFFF' }))).toEqual({ accepted: false, error_code: 'device_mismatch' });
    expect(await executor.handleRun(jobPayload(script, { not_after: new Date(Date.now() - 120_000).toISOString() }))).toEqual({ accepted: false, error_code: 'payload_expired' });
    expect(await executor.handleRun(jobPayload(script, { signing_key_id: 'ffffffffffffffff' }))).toEqual({ accepted: false, error_code: 'signature_invalid' });
    expect(await executor.handleRun({ ...good, script_type: 'nope' })).toEqual({ accepted: false, error_code: 'invalid_payload' });
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(marker)).toBe(false);
  });

  it('P17 the same job_id twice → duplicate:true, and it ran once', async () => {
    const { executor, end } = await setup();
    const dir = mkdtempSync(join(tmpdir(), 'borealis-p17-'));
    const counter = join(dir, 'count');
    const payload = jobPayload(`echo run >> ${counter}`);
    const [first, second] = await Promise.all([executor.handleRun(payload), executor.handleRun(payload)]);
    expect([first, second]).toContainEqual({ accepted: true });
    expect([first, second]).toContainEqual({ accepted: true, duplicate: true });
    await executor.settled(payload.job_id);
    expect(await executor.handleRun(payload)).toEqual({ accepted: true, duplicate: true });
    await new Promise((r) => setTimeout(r, 200));
    expect(readFileSync(counter, 'utf8')).toBe('run\n');
    // The stored result was sent again for the duplicate after it finished.
    expect(end.results.filter((r) => r.job_id === payload.job_id).length).toBe(2);
  });
});

describe('P19 delivery', () => {
  it('P19 a result finished during a socket drop arrives once after the reconnect', async () => {
    const { executor, end, stateDir } = await setup();
    end.connected = false;
    const payload = jobPayload('echo offline');
    expect(await executor.handleRun(payload)).toEqual({ accepted: true });
    const journal = createJobJournal(stateDir);
    const until = Date.now() + 5000;
    while (Date.now() < until && (await journal.get(payload.job_id))?.state !== 'finished') await new Promise((r) => setTimeout(r, 50));
    expect((await journal.get(payload.job_id))?.result_acked).toBe(false);
    expect(end.results).toEqual([]);
    end.connected = true;
    executor.onConnected();
    executor.onConnected();
    await executor.settled(payload.job_id);
    expect(end.results.filter((r) => r.job_id === payload.job_id)).toHaveLength(1);
    expect(end.results[0]).toMatchObject({ status: 'Success', stdout: 'offline\n' });
  });

  it('P19 a job cut off by an agent restart is reported Failed/agent_restarted on the next start', async () => {
    const end = engineEnd();
    const stateDir = mkdtempSync(join(tmpdir(), 'borealis-jobs-'));
    const journal = createJobJournal(stateDir);
    const jobId = '5a0f2d1e-8c3b-4b7a-9f00-000000000001';
    await journal.put({ job_id: jobId, accepted_at: new Date().toISOString(), state: 'started' });
    const { executor } = await makeExecutor(end, stateDir);
    executors.push(executor);
    executor.onConnected();
    await executor.settled(jobId);
    expect(end.results).toEqual([expect.objectContaining({ job_id: jobId, status: 'Failed', error_code: 'agent_restarted' })]);
  });

  it('P19 live output seq is contiguous from 0 and the chunks rebuild the output', async () => {
    const { executor, end } = await setup();
    const payload = jobPayload('for i in $(seq 1 12); do echo "line $i é"; sleep 0.1; done');
    const result = await runToResult(executor, end, payload);
    const chunks = end.progress.filter((p) => p.job_id === payload.job_id && typeof p.seq === 'number');
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i));
    expect(chunks.map((c) => c.chunk).join('')).toBe(result.stdout);
    expect(chunks.length).toBeGreaterThan(1);
  });
});
