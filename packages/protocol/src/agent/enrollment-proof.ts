// The enrolment poll proof (§2.4): Ed25519 by the device key over
// M = "borealis-enroll-v1\n" ‖ server_nonce (32 B) ‖ approval_reference (36 ASCII) ‖ client_nonce (32 B).

import { sign, type KeyObject } from 'node:crypto';
import { ENROLL_NONCE_BYTES } from './agent-auth-constants';
import { decodeB64, encodeB64 } from './base64';
import { verifyEd25519 } from './compact-jws';
import { SIGNATURE_LABELS } from './signature-labels';

/** Total length of M: 19 + 32 + 36 + 32. */
export const ENROLLMENT_PROOF_INPUT_BYTES = 119;

export interface EnrollmentProofFields {
  /** From the request answer: b64 text or the 32 raw bytes. */
  readonly serverNonce: string | Uint8Array;
  /** Exactly as the engine returned it (36 ASCII characters). */
  readonly approvalReference: string;
  /** b64 text or the 32 raw bytes. */
  readonly clientNonce: string | Uint8Array;
}

function nonceBytes(value: string | Uint8Array, name: string): Buffer {
  const bytes = typeof value === 'string' ? decodeB64(value) : Buffer.from(value);
  if (bytes?.byteLength !== ENROLL_NONCE_BYTES) throw new RangeError(`${name} must be ${ENROLL_NONCE_BYTES} bytes`);
  return bytes;
}

/** The 119 bytes the poll's `proof_sig` covers. Throws on a nonce that is not 32 bytes or a reference that is not 36 ASCII bytes. */
export function enrollmentProofInput(fields: EnrollmentProofFields): Buffer {
  if (!/^[\x20-\x7e]{36}$/.test(fields.approvalReference)) throw new RangeError('approval_reference must be 36 ASCII characters');
  return Buffer.concat([
    Buffer.from(SIGNATURE_LABELS.enroll, 'ascii'),
    nonceBytes(fields.serverNonce, 'server_nonce'),
    Buffer.from(fields.approvalReference, 'ascii'),
    nonceBytes(fields.clientNonce, 'client_nonce'),
  ]);
}

/** Agent side: `proof_sig` = b64(Ed25519.sign(device key, M)). */
export function signEnrollmentProof(privateKey: KeyObject, fields: EnrollmentProofFields): string {
  return encodeB64(sign(null, enrollmentProofInput(fields), privateKey));
}

/** Engine side (§2.4 check 4): false for any malformed field or signature, never a throw. */
export function verifyEnrollmentProof(publicKey: KeyObject, fields: EnrollmentProofFields, proofSig: string): boolean {
  const signature = decodeB64(proofSig);
  if (!signature) return false;
  let input: Buffer;
  try {
    input = enrollmentProofInput(fields);
  } catch {
    return false; // a malformed nonce or reference can never carry a valid proof
  }
  return verifyEd25519(publicKey, input, signature);
}
