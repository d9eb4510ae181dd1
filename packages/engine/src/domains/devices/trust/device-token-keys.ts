// Device-token signing keys (agent-protocol §3.1, data-model.md §3 (c) `device_token_keys`): Ed25519,
// private half sealed with the host secret so a locked engine still issues and verifies tokens.

import { createPrivateKey, type KeyObject } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { generateEd25519KeyPair, publicKeyFromSpki, signingKeyId, spkiFromKey, type AccessTokenSigner } from '@borealis/protocol/agent';
import type { Clock } from '../../../clock';
import type { Database } from '../../../db/schema';
import { sendSignal } from '../../../db/signal-bus';
import type { HostSecret } from '../../../secrets/host-secret';

/** Advisory lock (1112494661, 4): device token key creation and rotation (data-model.md §6). */
const DEVICE_TOKEN_KEY_LOCK = sql`SELECT pg_advisory_xact_lock(1112494661, 4)`;

export interface DeviceTokenKeys {
  /** Makes sure one active key exists (creating it when none does) and returns its signer. */
  ensureActive(): Promise<AccessTokenSigner>;
  /** The active key's signer, cached after the first load. */
  signingKey(): Promise<AccessTokenSigner>;
  /** Public key of an active or retiring key, or undefined for an unknown or retired `kid`. */
  resolvePublicKey(kid: string): Promise<KeyObject | undefined>;
  /** Drops the caches (after `NOTIFY device_token_keys_changed`). */
  reload(): void;
}

export interface DeviceTokenKeysDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly hostSecret: HostSecret;
}

export function privateKeySealAd(kid: string): string {
  return `device_token_keys/private_key_sealed/${kid}`;
}

export function createDeviceTokenKeys(deps: DeviceTokenKeysDeps): DeviceTokenKeys {
  let signer: AccessTokenSigner | undefined;
  const publicKeys = new Map<string, KeyObject>();

  const unsealSigner = (row: { kid: string; private_key_sealed: string }): AccessTokenSigner => {
    const der = deps.hostSecret.unseal(privateKeySealAd(row.kid), row.private_key_sealed);
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    return Object.freeze({ kid: row.kid, privateKey });
  };

  const ensureActive = async (): Promise<AccessTokenSigner> => {
    const row = await deps.db.transaction().execute(async (trx) => {
      await DEVICE_TOKEN_KEY_LOCK.execute(trx);
      const active = await trx.selectFrom('device_token_keys').select(['kid', 'private_key_sealed']).where('status', '=', 'active').executeTakeFirst();
      if (active) return active;
      const { publicKey, privateKey } = generateEd25519KeyPair();
      const spki = spkiFromKey(publicKey);
      const kid = signingKeyId(spki);
      const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
      const now = deps.clock.now();
      const created = {
        kid,
        public_key_spki: spki,
        private_key_sealed: deps.hostSecret.seal(privateKeySealAd(kid), pkcs8),
        status: 'active' as const,
        created_at: now,
        activated_at: now,
      };
      await trx.insertInto('device_token_keys').values(created).execute();
      await sendSignal(trx, 'device_token_keys_changed', kid);
      return created;
    });
    signer = unsealSigner(row);
    return signer;
  };

  return {
    ensureActive,
    async signingKey() {
      return signer ?? ensureActive();
    },
    async resolvePublicKey(kid) {
      const cached = publicKeys.get(kid);
      if (cached) return cached;
      const row = await deps.db
        .selectFrom('device_token_keys')
        .select('public_key_spki')
        .where('kid', '=', kid)
        .where('status', 'in', ['active', 'retiring'])
        .executeTakeFirst();
      const key = row && publicKeyFromSpki(row.public_key_spki);
      if (key) publicKeys.set(kid, key);
      return key;
    },
    reload() {
      signer = undefined;
      publicKeys.clear();
    },
  };
}
