// quick_job_run on a virtual agent (agent-protocol §6.2, §6.6): acceptance checks in order, journal
// de-duplication, progress and result, cancel.

import { createHash, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, labelledDocumentInput, SIGNATURE_LABELS } from '@borealis/protocol/agent';
import { createJobRunner } from '../src/quick-jobs';

const GUID = 'A1B2C3D4-0000-4000-8000-000000000001';
const engineKey = generateEd25519KeyPair();

function job(overrides: Record<string, unknown> = {}, now = Date.now()): Record<string, unknown> {
  const script = Buffer.from('echo hi\n');
  const base = {
    job_id: `job-${Math.random().toString(36).slice(2)}`,
    device_guid: GUID,
    script_type: 'bash',
    script_content: script.toString('base64'),
    script_encoding: 'base64',
    script_sha256: createHash('sha256').update(script).digest('hex'),
    files: [],
    environment: { BOREALIS_JOB: '1' },
    run_mode: 'system',
    timeout_seconds: 60,
    warning_exit_codes: [],
    issued_at: new Date(now).toISOString(),
    not_after: new Date(now + 3600_000).toISOString(),
    signing_key_id: 'abcdef0123456789',
    sig_alg: 'ed25519',
    ...overrides,
  } as Record<string, unknown>;
  const doc = {
    job_id: base.job_id,
    device_guid: base.device_guid,
    script_type: base.script_type,
    script_sha256: base.script_sha256,
    files: [],
    environment: base.environment,
    run_mode: base.run_mode,
    timeout_seconds: base.timeout_seconds,
    issued_at: base.issued_at,
    not_after: base.not_after,
    signing_key_id: base.signing_key_id,
  };
  return { ...base, signature: sign(null, labelledDocumentInput(SIGNATURE_LABELS.job, doc), engineKey.privateKey).toString('base64'), ...(overrides.signature ? { signature: overrides.signature } : {}) };
}

function runner(delayMs = 5) {
  const events: Array<{ event: string; payload: Record<string, unknown> }> = [];
  const r = createJobRunner({
    deviceGuid: () => GUID,
    signingKeys: () => new Map([['abcdef0123456789', engineKey.publicKey]]),
    now: () => Date.now(),
    behaviour: { delayMs, stdout: 'out\n', exitCode: 0 },
    emit: async (event, payload) => {
      events.push({ event, payload: payload as Record<string, unknown> });
      return { ok: true };
    },
  });
  return { r, events };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((res) => setTimeout(res, 5));
};

describe('quick jobs on a virtual agent', () => {
  it('accepts a signed job, reports executing, output and a Success result; a re-delivery is a duplicate, never a second run', async () => {
    const { r, events } = runner();
    const payload = job();
    expect(r.accept(payload)).toEqual({ accepted: true });
    await until(() => events.some((e) => e.event === 'quick_job_result'));
    expect(events.map((e) => e.event)).toEqual(['quick_job_progress', 'quick_job_progress', 'quick_job_result']);
    const result = events.at(-1)!.payload;
    expect(result).toMatchObject({ job_id: payload.job_id, status: 'Success', exit_code: 0, stdout: 'out\n', stdout_total_bytes: 4 });
    expect(r.accept(payload)).toEqual({ accepted: true, duplicate: true });
    await until(() => r.runningJobs().length === 0);
    expect(r.runningJobs()).toEqual([]);
    // The stored result is sent again for a finished duplicate (§6.2 step 8), not a new run.
    expect(events.filter((e) => e.event === 'quick_job_result')).toHaveLength(2);
    expect(events.filter((e) => e.event === 'quick_job_progress')).toHaveLength(2);
  });

  it('refuses in the order of §6.2', () => {
    const { r } = runner();
    expect(r.accept({ job_id: 'x' })).toEqual({ accepted: false, error_code: 'invalid_payload' });
    expect(r.accept(job({ device_guid: 'B1B2C3D4-0000-4000-8000-000000000001' }))).toEqual({ accepted: false, error_code: 'device_mismatch' });
    expect(r.accept(job({ signing_key_id: '0000000000000000' }))).toEqual({ accepted: false, error_code: 'signature_invalid' });
    expect(r.accept({ ...job(), timeout_seconds: 61 })).toEqual({ accepted: false, error_code: 'signature_invalid' });
    expect(r.accept(job({ not_after: new Date(Date.now() - 120_000).toISOString() }))).toEqual({ accepted: false, error_code: 'payload_expired' });
    expect(r.accept(job({ script_sha256: '0'.repeat(64) }))).toEqual({ accepted: false, error_code: 'hash_mismatch' });
    expect(r.accept(job({ script_type: 'powershell' }))).toEqual({ accepted: false, error_code: 'interpreter_not_found' });
  });

  it('a cancelled running job reports Cancelled', async () => {
    const { r, events } = runner(10_000);
    const payload = job();
    r.accept(payload);
    await until(() => events.length > 0);
    expect(r.cancel({ job_id: payload.job_id })).toEqual({ ok: true, state: 'cancelling' });
    await until(() => events.some((e) => e.event === 'quick_job_result'));
    expect(events.find((e) => e.event === 'quick_job_result')!.payload.status).toBe('Cancelled');
    expect(r.cancel({ job_id: 'unknown' })).toEqual({ ok: true, state: 'not_found' });
  });
});
