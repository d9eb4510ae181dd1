import { describe, expect, it } from 'vitest';
import { generateEd25519KeyPair } from './device-key';
import { jobSignatureInput, QuickJobProgressSchema, signJob, verifyJobSignature, type SignedJobFields } from './job-schemas';

const fields: SignedJobFields = {
  job_id: '01936b2e-1c3a-7b3e-9f00-000000000001',
  device_guid: '3F2504E0-4F89-41D3-9A0C-0305E82C3301',
  script_type: 'bash',
  script_sha256: 'a'.repeat(64),
  files: [],
  environment: { BOREALIS_JOB_ID: 'x', WARN_PERCENT: '90' },
  run_mode: 'system',
  timeout_seconds: 60,
  issued_at: '2026-11-26T07:00:00Z',
  not_after: '2026-11-26T08:00:00Z',
  signing_key_id: '0123456789abcdef',
};

describe('job signatures (automation.md §1.5)', () => {
  it('signs label ‖ JCS of exactly the signed fields, keys sorted', () => {
    const input = jobSignatureInput(fields).toString('utf8');
    expect(input.startsWith('borealis-job-v1\n{"device_guid":')).toBe(true);
    expect(input).toContain('"environment":{"BOREALIS_JOB_ID":"x","WARN_PERCENT":"90"}');
  });

  it('verifies with the engine key and refuses a changed variable, another device or another key', () => {
    const engine = generateEd25519KeyPair();
    const other = generateEd25519KeyPair();
    const signature = signJob(engine.privateKey, fields);
    expect(verifyJobSignature(engine.publicKey, fields, signature)).toBe(true);
    expect(verifyJobSignature(engine.publicKey, { ...fields, environment: { ...fields.environment, WARN_PERCENT: '91' } }, signature)).toBe(false);
    expect(verifyJobSignature(engine.publicKey, { ...fields, device_guid: '3F2504E0-4F89-41D3-9A0C-0305E82C3302' }, signature)).toBe(false);
    expect(verifyJobSignature(other.publicKey, fields, signature)).toBe(false);
    expect(verifyJobSignature(engine.publicKey, fields, 'not base64!')).toBe(false);
  });

  it('tells output chunks (with seq) from phase-only progress', () => {
    expect(QuickJobProgressSchema.safeParse({ job_id: fields.job_id, seq: 0, stream: 'stdout', chunk: 'hi', phase: 'executing' }).success).toBe(true);
    expect(QuickJobProgressSchema.safeParse({ job_id: fields.job_id, phase: 'queued_on_agent' }).success).toBe(true);
    expect(QuickJobProgressSchema.safeParse({ job_id: fields.job_id, seq: -1, stream: 'stdout', chunk: 'hi', phase: 'executing' }).success).toBe(false);
  });
});
