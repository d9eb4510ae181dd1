import { describe, expect, it } from 'vitest';
import { formatAgentId } from './agent-identity';
import { generateEd25519KeyPair, spkiB64FromKey } from './device-key';
import { EnrollPollRequestSchema, EnrollPollResponseSchema, EnrollRequestSchema, normalizeEnrollmentCode } from './enrollment-schemas';

const body = {
  hostname: 'web-01',
  enrollment_code: '0123-4567-89AB-CDEF-0123-4567-89AB-CDEF',
  agent_pubkey: spkiB64FromKey(generateEd25519KeyPair().publicKey),
  client_nonce: Buffer.alloc(32, 1).toString('base64'),
  agent_version: '0.1.0',
  platform: 'linux',
  arch: 'x64',
};

describe('enrolment wire shapes (§2.3, §2.4)', () => {
  it('accepts a request with a 44-byte Ed25519 SPKI and a 32-byte client nonce', () => {
    expect(EnrollRequestSchema.safeParse(body).success).toBe(true);
  });

  it('refuses a 16-byte client nonce, a non-SPKI key, a 254-char hostname and an unknown platform', () => {
    for (const bad of [
      { client_nonce: Buffer.alloc(16, 1).toString('base64') },
      { agent_pubkey: Buffer.alloc(44, 1).toString('base64') },
      { hostname: 'a'.repeat(254) },
      { platform: 'darwin' },
    ]) {
      expect(EnrollRequestSchema.safeParse({ ...body, ...bad }).success).toBe(false);
    }
  });

  it('normalises enrolment codes case-insensitively, ignoring dashes and spaces', () => {
    expect(normalizeEnrollmentCode('0123-4567-89ab-cdef 0123-4567-89AB-CDEF')).toBe('0123456789ABCDEF0123456789ABCDEF');
    expect(normalizeEnrollmentCode('0123-4567')).toBeUndefined();
  });

  it('requires a lower-case approval reference and a 64-byte proof_sig on poll', () => {
    const poll = { approval_reference: '0190d5a4-7c1e-7b3a-9f00-1234567890ab', client_nonce: body.client_nonce, proof_sig: Buffer.alloc(64).toString('base64') };
    expect(EnrollPollRequestSchema.safeParse(poll).success).toBe(true);
    expect(EnrollPollRequestSchema.safeParse({ ...poll, approval_reference: poll.approval_reference.toUpperCase() }).success).toBe(false);
    expect(EnrollPollRequestSchema.safeParse({ ...poll, proof_sig: Buffer.alloc(63).toString('base64') }).success).toBe(false);
  });

  it('discriminates poll answers on status', () => {
    expect(EnrollPollResponseSchema.parse({ status: 'pending', poll_after_ms: 5000 })).toEqual({ status: 'pending', poll_after_ms: 5000 });
    expect(EnrollPollResponseSchema.safeParse({ status: 'completed', guid: '3F2504E0-4F89-41D3-9A0C-0305E82C3301' }).success).toBe(true);
    expect(EnrollPollResponseSchema.safeParse({ status: 'approved', guid: '3F2504E0-4F89-41D3-9A0C-0305E82C3301' }).success).toBe(false);
  });

  it('formats agent_id as <HOSTNAME>_<GUID>_SYSTEM', () => {
    expect(formatAgentId('web 01', '3f2504e0-4f89-41d3-9a0c-0305e82c3301')).toBe('WEB-01_3F2504E0-4F89-41D3-9A0C-0305E82C3301_SYSTEM');
  });
});
