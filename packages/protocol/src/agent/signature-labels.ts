// Domain-separation labels of the device and engine signatures (§0), and the `label ‖ JCS(object)`
// input every labelled JSON document is signed over.

import { canonicalJson } from './canonical-json';

export const SIGNATURE_LABELS = Object.freeze({
  enroll: 'borealis-enroll-v1\n',
  job: 'borealis-job-v1\n',
  tunnel: 'borealis-tunnel-v1\n',
  shell: 'borealis-shell-v1\n',
  update: 'borealis-update-v1\n',
  keyRotation: 'borealis-key-rotation-v1\n',
} as const);
export type SignatureLabel = (typeof SIGNATURE_LABELS)[keyof typeof SIGNATURE_LABELS];

/** The bytes an Ed25519 signature over a labelled JSON document covers: label ‖ JCS(object), UTF-8. */
export function labelledDocumentInput(label: SignatureLabel, document: unknown): Buffer {
  return Buffer.concat([Buffer.from(label, 'ascii'), Buffer.from(canonicalJson(document), 'utf8')]);
}
