// Startup step 2 (§4.1): create the identity if missing, never replace one that exists (a new
// key is made only by --reset-identity, M2).

import type { AgentIdentity } from '../config/agent-file-schema';
import { AgentConfigError } from '../config/load-agent-file';
import type { AgentStore } from '../state/agent-store';
import { generateIdentity } from './device-key';

export interface EnsuredIdentity {
  readonly identity: AgentIdentity;
  readonly isNew: boolean;
}

export async function ensureIdentity(store: AgentStore, generate: () => AgentIdentity = generateIdentity): Promise<EnsuredIdentity> {
  const existing = (await store.load()).identity;
  if (existing) return { identity: existing, isNew: false };
  let isNew = false;
  const file = await store.update((current) => {
    if (!current) throw new AgentConfigError(store.paths.configFile, [{ key: '(file)', message: 'disappeared while the identity was being created' }]);
    if (current.identity) return current;
    isNew = true;
    return { ...current, identity: generate() };
  });
  if (!file.identity) throw new Error('identity missing after it was written');
  return { identity: file.identity, isNew };
}
