import { describe, expect, it } from 'vitest';
import { generateEd25519KeyPair } from './device-key';
import { ENROLLMENT_PROOF_INPUT_BYTES, enrollmentProofInput, signEnrollmentProof, verifyEnrollmentProof } from './enrollment-proof';

const serverNonce = Buffer.alloc(32, 0xa1);
const clientNonce = Buffer.alloc(32, 0xc2);
const fields = { serverNonce: serverNonce.toString('base64'), approvalReference: '0190d5a4-7c1e-7b3a-9f00-1234567890ab', clientNonce: clientNonce.toString('base64') };

describe('enrolment poll proof (§2.4)', () => {
  it('signs exactly label ‖ server_nonce ‖ approval_reference ‖ client_nonce, 119 bytes', () => {
    const m = enrollmentProofInput(fields);
    expect(m).toHaveLength(ENROLLMENT_PROOF_INPUT_BYTES);
    expect(m.subarray(0, 19).toString('ascii')).toBe('borealis-enroll-v1\n');
    expect(m.subarray(19, 51)).toEqual(serverNonce);
    expect(m.subarray(51, 87).toString('ascii')).toBe(fields.approvalReference);
    expect(m.subarray(87)).toEqual(clientNonce);
    expect(enrollmentProofInput({ ...fields, serverNonce, clientNonce: clientNonce.toString('base64url') })).toEqual(m);
  });

  it('verifies its own proof and refuses a flipped bit, another nonce, reference or key', () => {
    const { publicKey, privateKey } = generateEd25519KeyPair();
    const proofSig = signEnrollmentProof(privateKey, fields);
    expect(Buffer.from(proofSig, 'base64')).toHaveLength(64);
    expect(verifyEnrollmentProof(publicKey, fields, proofSig)).toBe(true);

    const flipped = Buffer.from(proofSig, 'base64');
    flipped[10] = (flipped[10] ?? 0) ^ 0x01;
    expect(verifyEnrollmentProof(publicKey, fields, flipped.toString('base64'))).toBe(false);
    expect(verifyEnrollmentProof(publicKey, { ...fields, clientNonce: Buffer.alloc(32, 0xc3) }, proofSig)).toBe(false);
    expect(verifyEnrollmentProof(publicKey, { ...fields, serverNonce: Buffer.alloc(32, 0xa2) }, proofSig)).toBe(false);
    expect(verifyEnrollmentProof(publicKey, { ...fields, approvalReference: fields.approvalReference.toUpperCase() }, proofSig)).toBe(false);
    expect(verifyEnrollmentProof(generateEd25519KeyPair().publicKey, fields, proofSig)).toBe(false);
  });

  it('returns false, not a throw, for malformed inputs', () => {
    const { publicKey, privateKey } = generateEd25519KeyPair();
    const proofSig = signEnrollmentProof(privateKey, fields);
    expect(verifyEnrollmentProof(publicKey, { ...fields, clientNonce: Buffer.alloc(16) }, proofSig)).toBe(false);
    expect(verifyEnrollmentProof(publicKey, fields, 'not b64!')).toBe(false);
    expect(verifyEnrollmentProof(publicKey, fields, proofSig.slice(0, 40))).toBe(false);
    expect(() => enrollmentProofInput({ ...fields, approvalReference: 'short' })).toThrow(RangeError);
  });
});
