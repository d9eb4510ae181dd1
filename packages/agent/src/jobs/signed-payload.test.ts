// Conformance A2 (automation.md §10): the agent's executor refuses what the real engine signed once
// it is altered, addressed to another device, signed by a key only the payload names, or expired;
// nothing runs. Payloads come from the engine's own delivery (quick_run over a real /agent socket).
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signJob, type QuickJobRunPayload } from '@borealis/protocol/agent';
import { startTestEngine, type TestEngine } from '@borealis/engine/testing';
import { TestAgent } from '@borealis/engine/testing/device-agent';
import { setUpEngine, type SignedInAdmin } from '@borealis/engine/testing/factories';
import { insertAssembly, JobAgent, until } from '@borealis/engine/testing/quick-jobs';
import { silentLog } from '../runtime/agent-log';
import { systemRuntime } from '../runtime/runtime';
import { createJobExecutor, type JobExecutor, type PinnedSigningKey } from './job-executor';
import { engineEnd } from './job-test-kit';

describe.each(['pglite', 'postgres'] as const)('A2 signed payloads from the engine (%s)', (dialect) => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  const open: JobAgent[] = [];
  const executors: JobExecutor[] = [];
  beforeAll(async () => {
    t = await startTestEngine({ dialect, listen: true, agent: { loops: false } });
    admin = await setUpEngine(t);
  });
  afterAll(async () => {
    for (const e of executors) e.stop();
    for (const o of open) o.close();
    await t?.close();
  });

  /** The engine's keys as an agent pins them: from GET /api/agent/signing-keys. */
  const enginePins = async (agent: TestAgent): Promise<PinnedSigningKey[]> => {
    const res = await agent.call('GET', '/api/agent/signing-keys');
    expect(res.statusCode).toBe(200);
    return res.json<{ keys: Array<{ key_id: string; public_key_spki: string }> }>().keys.map((k) => ({ key_id: k.key_id, public_key_spki_b64: k.public_key_spki }));
  };

  /** A real executor for `agent`'s GUID, pinned to the engine's keys; `skewMs` moves its clock. */
  const executorFor = async (agent: TestAgent, skewMs = 0) => {
    const pins = await enginePins(agent);
    const executor = createJobExecutor({
      guid: agent.guid,
      stateDir: mkdtempSync(join(tmpdir(), 'borealis-a2-')),
      runtime: systemRuntime,
      now: () => Date.now() + skewMs,
      log: silentLog,
      transport: engineEnd(),
      signingKeys: () => pins,
      refreshSigningKeys: () => enginePins(agent),
    });
    await executor.start();
    executors.push(executor);
    return executor;
  };

  /** Dispatches `touch <marker>` to `agent` through quick_run and returns the payload the engine sent. */
  const engineSigned = async (agent: TestAgent, marker: string): Promise<QuickJobRunPayload> => {
    // The test socket only captures the payload (and declines it), so that the real executor below decides.
    const runner = await JobAgent.connect(t, agent, { answer: () => ({ accepted: false, error_code: 'agent_busy' as const }) });
    open.push(runner);
    const assembly = await insertAssembly(t, { script: `touch ${marker}\n` });
    const res = await admin.client.post('/api/scripts/quick_run', { assembly_guid: assembly, hostnames: [agent.hostname] });
    expect(res.statusCode).toBeLessThan(300);
    await until(() => runner.runs.length > 0);
    const run = runner.runs[0]!;
    expect(run.isSignatureValid).toBe(true);
    return run.payload;
  };

  it('A2: one byte changed in a signed payload → signature_invalid and nothing runs; the untouched payload runs', async () => {
    const agent = await TestAgent.create(t);
    const marker = join(mkdtempSync(join(tmpdir(), 'borealis-a2-')), 'ran');
    const payload = await engineSigned(agent, marker);
    const executor = await executorFor(agent);
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === '0' ? '1' : '0') + s.slice(i + 1);
    // One character (one byte) changed in several signed fields, each on its own.
    const altered: QuickJobRunPayload[] = [
      { ...payload, job_id: flip(payload.job_id, payload.job_id.length - 1) },
      { ...payload, timeout_seconds: payload.timeout_seconds + 1 },
      { ...payload, issued_at: flip(payload.issued_at, payload.issued_at.length - 2) },
      { ...payload, environment: { ...payload.environment, BOREALIS_HOSTNAME: `${payload.environment.BOREALIS_HOSTNAME!.slice(0, -1)}X` } },
    ];
    for (const p of altered) {
      expect(p).not.toEqual(payload);
      expect(await executor.handleRun(p)).toEqual({ accepted: false, error_code: 'signature_invalid' });
    }
    // A flipped byte of the signature itself.
    const sig = Buffer.from(payload.signature, 'base64');
    sig[10] = sig[10]! ^ 1;
    expect(await executor.handleRun({ ...payload, signature: sig.toString('base64') })).toEqual({ accepted: false, error_code: 'signature_invalid' });
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(marker)).toBe(false);
    // The control: the engine's payload as sent is accepted and runs.
    expect(await executor.handleRun(payload)).toMatchObject({ accepted: true });
    await executor.settled(payload.job_id);
    expect(existsSync(marker)).toBe(true);
  });

  it("A2: A's envelope sent to B → device_mismatch, and nothing runs", async () => {
    const a = await TestAgent.create(t);
    const b = await TestAgent.create(t);
    const marker = join(mkdtempSync(join(tmpdir(), 'borealis-a2-')), 'ran');
    const payload = await engineSigned(a, marker);
    const executorB = await executorFor(b);
    expect(await executorB.handleRun(payload)).toEqual({ accepted: false, error_code: 'device_mismatch' });
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(marker)).toBe(false);
  });

  it('A2: a key named only in the payload is refused, even after the agent re-fetches the engine keys', async () => {
    const agent = await TestAgent.create(t);
    const marker = join(mkdtempSync(join(tmpdir(), 'borealis-a2-')), 'ran');
    const payload = await engineSigned(agent, marker);
    const executor = await executorFor(agent);
    // An attacker's key: the payload names its id and carries a valid signature by it.
    const rogue = generateKeyPairSync('ed25519');
    const { signature: _sig, ...rest } = payload;
    const signedFields = { ...rest, signing_key_id: 'fedcba9876543210' };
    const forged = { ...signedFields, signature: signJob(rogue.privateKey, signedFields) };
    expect((await enginePins(agent)).map((k) => k.key_id)).not.toContain('fedcba9876543210');
    expect(await executor.handleRun(forged)).toEqual({ accepted: false, error_code: 'signature_invalid' });
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(marker)).toBe(false);
  });

  it('A2: past not_after → payload_expired, and nothing runs', async () => {
    const agent = await TestAgent.create(t);
    const marker = join(mkdtempSync(join(tmpdir(), 'borealis-a2-')), 'ran');
    const payload = await engineSigned(agent, marker);
    // The agent's (corrected) clock an hour past the payload's not_after.
    const executor = await executorFor(agent, Date.parse(payload.not_after) - Date.now() + 3_600_000);
    expect(await executor.handleRun(payload)).toEqual({ accepted: false, error_code: 'payload_expired' });
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(marker)).toBe(false);
  });
});
