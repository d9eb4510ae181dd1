// TLS trust for every engine connection (agent-protocol.md §1): mode `system` uses the OS store;
// mode `ca` trusts only the pinned PEM CA(s), the system store is ignored. Host-name verification
// is never turned off (no rejectUnauthorized:false, no custom checkServerIdentity).
import type { AgentTrust } from '../config/agent-file-schema';

export interface TlsTrustOptions {
  /** Present only in `ca` mode: Node then trusts these certificates and nothing else. */
  readonly ca?: string;
  readonly rejectUnauthorized: true;
  readonly minVersion: 'TLSv1.2';
}

export function tlsTrustOptions(trust: AgentTrust | undefined): TlsTrustOptions {
  const base = { rejectUnauthorized: true as const, minVersion: 'TLSv1.2' as const };
  if (trust === undefined || trust.mode === 'system') return base;
  if (trust.engine_ca_pem === undefined) throw new Error(`trust mode ${trust.mode} needs engine_ca_pem`);
  return { ...base, ca: trust.engine_ca_pem };
}
