// The public half of the engine's job-signing key (security.md §8.2 `signing_keys`), which agents
// pin at enrolment as `signing_key` / `signing_key_id`. Aegis setup creates it; reading the public
// half needs no Aegis secret, so enrolment works while the engine is locked.

import { encodeB64 } from '@borealis/protocol/agent';
import { UnavailableError } from '../../errors';
import type { DbExecutor } from '../audit/audit-log';

export interface EngineSigningKey {
  /** b64 SPKI DER. */
  readonly signing_key: string;
  /** 16 hex digits (`key_id`). */
  readonly signing_key_id: string;
}

/** The active key (a retiring one while a rotation runs); 503 when none exists yet. */
export async function loadEngineSigningKey(db: DbExecutor): Promise<EngineSigningKey> {
  const row = await db
    .selectFrom('signing_keys')
    .select(['key_id', 'public_key_spki'])
    .where('state', 'in', ['active', 'retiring'])
    .orderBy('state', 'asc') // 'active' sorts before 'retiring'
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  // Aegis setup creates the key and a force reset retires it until the next setup.
  if (!row) throw new UnavailableError('The engine has no job-signing key yet; finish Aegis setup first');
  return { signing_key: encodeB64(row.public_key_spki), signing_key_id: row.key_id };
}

/**
 * loadEngineSigningKey on the shared pool where callers that arrive while a read runs share its
 * answer: a burst of enrolments read the same row once per round trip instead of once each. Nothing
 * is kept after the read, so a rotation is seen by the next caller as before.
 */
export function createSigningKeyReader(db: DbExecutor): () => Promise<EngineSigningKey> {
  let inFlight: Promise<EngineSigningKey> | null = null;
  return () => {
    inFlight ??= loadEngineSigningKey(db).finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
}
