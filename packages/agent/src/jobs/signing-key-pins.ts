// Re-pinning the engine's job-signing keys (agent-protocol.md §6.2 step 3, automation.md §1.5):
// fetch GET /api/agent/signing-keys?since=<pinned> and pin only keys marked `reset: true`
// (rotation-chain verification is M2), saving them in agent.json's trust.signing_keys.
import { AgentSigningKeysResponseSchema } from '@borealis/protocol/agent';
import type { DeviceSession } from '../auth/device-session';
import type { AgentStore } from '../state/agent-store';
import type { PinnedSigningKey } from './job-executor';

export function createSigningKeyRefresher(deps: { readonly session: DeviceSession; readonly store: AgentStore; readonly now: () => string }): () => Promise<readonly PinnedSigningKey[]> {
  return async () => {
    const file = await deps.store.load();
    const pinned = file.trust?.signing_keys ?? [];
    const since = pinned.at(-1)?.key_id;
    const path = since ? `/api/agent/signing-keys?since=${encodeURIComponent(since)}` : '/api/agent/signing-keys';
    const response = await deps.session.call({ method: 'GET', path, maxTries: 1 });
    const parsed = AgentSigningKeysResponseSchema.safeParse(response.body);
    if (response.status !== 200 || !parsed.success) return pinned;
    const fresh = parsed.data.keys.filter((k) => k.reset === true && !pinned.some((p) => p.key_id === k.key_id));
    if (fresh.length === 0) return pinned;
    const updated = await deps.store.update((current) => {
      if (!current?.trust) throw new Error('agent.json has no trust section');
      const keys = [...(current.trust.signing_keys ?? []), ...fresh.map((k) => ({ key_id: k.key_id, public_key_spki_b64: k.public_key_spki, pinned_at: deps.now() }))];
      return { ...current, trust: { ...current.trust, signing_keys: keys } };
    });
    return updated.trust?.signing_keys ?? [];
  };
}
