// Engine-side DPoP check of one agent request (agent-protocol §3.2): checks 1–5 in the protocol
// validator, then replay (check 6) through a per-node LRU in front of the shared `dpop_replay` table.

import type { Kysely } from 'kysely';
import { authFailure, validateDpopProof, type AuthResult, type ValidatedDpopProof } from '@borealis/protocol/agent';
import type { Clock } from '../../../clock';
import type { Database } from '../../../db/schema';
import { createStatementBatcher } from '../../../db/statement-batcher';
import { rememberMany, type ReplayKey } from './dpop-replay-store';

/** data-model.md §4: a per-node LRU of 100,000 entries filters repeats before the INSERT. */
export const DPOP_REPLAY_LRU_SIZE = 100_000;

/** Most replay keys written by one statement. */
const DPOP_REPLAY_BATCH = 500;

export interface DpopCheckInput {
  readonly method: string;
  /** Request path (a query string is ignored); the expected `htu` is the agent origin plus this path. */
  readonly path: string;
  /** The `DPoP` header as Node hands it over. */
  readonly header: string | readonly string[] | undefined;
  /** Access token from `Authorization`, when sent: `ath` must then match. */
  readonly accessToken?: string;
  /** Required key thumbprint (`cnf.jkt`, or the enrolling key). */
  readonly expectedJkt?: string;
  /** Where a server nonce is demanded (reauth): true when the proof's nonce is current. */
  readonly isNonceValid?: (nonce: string) => boolean;
}

export type DpopCheckCode = 'dpop_invalid' | 'dpop_replayed' | 'use_dpop_nonce';

export interface DpopRequestVerifier {
  verify(input: DpopCheckInput): Promise<AuthResult<ValidatedDpopProof, DpopCheckCode>>;
  /** The origin agents must use in `htu` (BOREALIS_PUBLIC_URL, else the engine's own listening URL). */
  origin(): string;
}

export interface DpopRequestVerifierDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly origin: () => string;
  readonly skewSeconds?: number;
  readonly lruSize?: number;
}

export function createDpopRequestVerifier(deps: DpopRequestVerifierDeps): DpopRequestVerifier {
  const lruSize = deps.lruSize ?? DPOP_REPLAY_LRU_SIZE;
  // Insertion-ordered Map as an LRU: keys are hex replay keys, values their expiry in ms.
  const seen = new Map<string, number>();
  const noteSeen = (key: string, expiresAtMs: number) => {
    seen.set(key, expiresAtMs);
    if (seen.size > lruSize) {
      const oldest = seen.keys().next().value;
      if (oldest !== undefined) seen.delete(oldest);
    }
  };

  // Proofs checked in the same turn share one INSERT: after an engine restart thousands of agents
  // refresh and reconnect at once, and one pooled statement per proof queued behind each other.
  const replays = createStatementBatcher<ReplayKey, boolean>((items) => rememberMany(deps.db, items), { max: DPOP_REPLAY_BATCH });

  return {
    origin: deps.origin,
    async verify(input) {
      const path = input.path.split('?')[0] ?? '/';
      const result = validateDpopProof(
        input.header,
        { method: input.method, url: `${deps.origin()}${path}`, accessToken: input.accessToken, expectedJkt: input.expectedJkt, isNonceValid: input.isNonceValid },
        { clock: deps.clock, skewSeconds: deps.skewSeconds },
      );
      if (!result.ok) return result;
      const key = result.value.replayKey.toString('hex');
      const nowMs = deps.clock.now().getTime();
      const known = seen.get(key);
      if (known !== undefined && known > nowMs) return authFailure('dpop_replayed', 'this DPoP proof was already used');
      // Check 6 runs last so a bad proof never uses up a jti; the table catches other nodes and restarts.
      const fresh = await replays.add({ key: result.value.replayKey, expiresAt: result.value.replayExpiresAt });
      noteSeen(key, result.value.replayExpiresAt.getTime());
      if (!fresh) return authFailure('dpop_replayed', 'this DPoP proof was already used');
      return result;
    },
  };
}
