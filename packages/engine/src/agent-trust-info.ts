// What an install command and an agent need to trust this engine: the local CA PEM (when the
// engine made its own) and the server key pin for `curl --pinnedpubkey` before the CA is on disk.

import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TlsMaterial } from './tls';

export interface AgentTrustInfo {
  /** PEM of the local CA agents pin (`--engine-ca-pem`); null when the certificate was supplied. */
  readonly caPem: string | null;
  /** `sha256//<base64>` of the server certificate's SPKI, the form curl's --pinnedpubkey takes. */
  readonly serverKeyPin: string;
}

export function agentTrustInfo(tls: TlsMaterial): AgentTrustInfo {
  const spki = new X509Certificate(tls.cert).publicKey.export({ type: 'spki', format: 'der' });
  return {
    caPem: tls.caPath ? readFileSync(tls.caPath, 'utf8') : null,
    serverKeyPin: `sha256//${createHash('sha256').update(spki).digest('base64')}`,
  };
}
