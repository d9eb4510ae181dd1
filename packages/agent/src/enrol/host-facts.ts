// Host facts sent with the enrol request (§2.3): host name, FQDN and the SHA-256 of /etc/machine-id.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface HostFacts {
  readonly hostname: string;
  readonly fqdn?: string;
  readonly machine_id_sha256?: string;
}

export function hostFacts(root = '/'): HostFacts {
  const name = hostname();
  const short = name.split('.')[0] ?? name;
  let machineId: string | undefined;
  try {
    const raw = readFileSync(`${root.replace(/\/$/, '')}/etc/machine-id`, 'utf8').trim();
    if (raw) machineId = createHash('sha256').update(raw).digest('hex');
  } catch {
    machineId = undefined; // containers often have none; the field is optional
  }
  return { hostname: short, ...(name.includes('.') ? { fqdn: name } : {}), ...(machineId ? { machine_id_sha256: machineId } : {}) };
}
