// The assembly store other domains use (quick jobs, scheduled jobs): resolve a revision through the
// shared cache, resolve variables per target (§1.6), and the engine's job-signing key (§1.5).

import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { AssemblyPayload } from '@borealis/protocol';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { LockedError, NotFoundError, UnavailableError } from '../../errors';
import type { DbExecutor } from '../audit/audit-log';
import { decryptEnvelope } from '../aegis/cipher/envelope';
import type { Keyring } from '../aegis/cipher/keyring';
import { createAssemblyCache, type AssemblyCache } from './assembly-cache';
import { scriptBytesOf } from './assembly-document';
import { resolveVariables, type AssemblyBuiltins, type ResolvedVariables } from './assembly-variables';

export interface ResolvedAssembly {
  readonly assembly_guid: string;
  readonly revision: number;
  /** Lower-case hex SHA-256 of JCS(payload). */
  readonly content_hash: string;
  readonly display_name: string;
  readonly domain: 'official' | 'user' | 'site';
  readonly site_id: number | null;
  readonly assembly_type: string;
  readonly assembly_subtype: string;
  readonly payload: AssemblyPayload;
  /** The script's bytes as stored (before any per-dispatch rewrite or line-ending change). */
  readonly script: Buffer;
}

export interface JobSigningKey {
  /** 16 hex digits: SHA-256(SPKI DER), the id agents pinned. */
  readonly key_id: string;
  readonly privateKey: KeyObject;
}

export interface AssemblyServiceDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  /** The Aegis keyring; null on roles that never unlock (signingKey() then always answers 423). */
  readonly keyring: Pick<Keyring, 'key' | 'isUnlocked'> | null;
  readonly cacheMaxBytes?: number;
}

const SIGNING_KEY_MAX_AGE_MS = 60_000;

export function createAssemblyService(deps: AssemblyServiceDeps) {
  const cache: AssemblyCache<ResolvedAssembly> = createAssemblyCache({ clock: deps.clock, maxBytes: deps.cacheMaxBytes });
  let signer: (JobSigningKey & { at: number }) | undefined;

  const load = async (executor: DbExecutor, guid: string, revision: number | undefined): Promise<ResolvedAssembly> => {
    const row = await executor
      .selectFrom('assemblies as a')
      .innerJoin('assembly_revisions as r', (j) =>
        j.onRef('r.assembly_guid', '=', 'a.assembly_guid').on((eb) => (revision === undefined ? eb('r.revision', '=', eb.ref('a.revision')) : eb('r.revision', '=', revision))),
      )
      .select(['a.assembly_guid', 'a.display_name', 'a.domain', 'a.site_id', 'a.assembly_type', 'a.assembly_subtype', 'r.revision', 'r.content_hash', 'r.payload'])
      .where('a.assembly_guid', '=', guid)
      .executeTakeFirst();
    if (!row) throw new NotFoundError(revision === undefined ? 'No such assembly' : `No revision ${revision} of this assembly`);
    const payload = row.payload as unknown as AssemblyPayload;
    return Object.freeze({
      assembly_guid: row.assembly_guid,
      revision: row.revision,
      content_hash: row.content_hash.toString('hex'),
      display_name: row.display_name,
      domain: row.domain,
      site_id: row.site_id,
      assembly_type: row.assembly_type,
      assembly_subtype: row.assembly_subtype,
      payload,
      script: scriptBytesOf(payload),
    });
  };

  return {
    /**
     * One revision (the current one when `revision` is omitted). 404 not_found when absent. Pass
     * `executor` when inside a transaction (PGlite has one connection).
     */
    async resolve(guid: string, revision?: number, executor: DbExecutor = deps.db): Promise<ResolvedAssembly> {
      const key = guid.toLowerCase();
      const rev = revision ?? cache.latest(key);
      if (rev !== undefined) {
        const hit = cache.get(key, rev);
        if (hit) return hit;
      }
      const loaded = await load(executor, key, rev);
      // Payload text dominates; the JSON length is a fair upper bound of the memory it holds.
      cache.set(key, loaded.revision, loaded, JSON.stringify(loaded.payload).length * 2 + loaded.script.length + 512);
      if (revision === undefined) cache.setLatest(key, loaded.revision);
      return loaded;
    },

    /** §1.6; see assembly-variables.ts for the 422 codes. */
    resolveVariables(payload: Pick<AssemblyPayload, 'variables'>, overrides: Readonly<Record<string, unknown>> | undefined, builtins: AssemblyBuiltins): ResolvedVariables {
      return resolveVariables(payload, overrides, builtins);
    },

    /** False while Aegis is locked: callers polling per device ask this instead of catching 423s. */
    canSign(): boolean {
      return deps.keyring?.isUnlocked === true;
    },

    /** The active job-signing key; 423 engine_locked while Aegis is locked, 503 before Aegis setup. */
    async signingKey(): Promise<JobSigningKey> {
      const keyring = deps.keyring;
      if (!keyring?.isUnlocked) {
        signer = undefined;
        throw new LockedError('engine_locked', 'The engine is locked: unlock Aegis to dispatch jobs');
      }
      const now = deps.clock.now().getTime();
      if (signer && now - signer.at < SIGNING_KEY_MAX_AGE_MS) return { key_id: signer.key_id, privateKey: signer.privateKey };
      const row = await deps.db
        .selectFrom('signing_keys')
        .select(['key_id', 'private_key_enc'])
        .where('state', '=', 'active')
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
      if (!row?.private_key_enc) throw new UnavailableError('The engine has no job-signing key yet; finish Aegis setup first');
      const pkcs8 = decryptEnvelope(keyring, { table: 'signing_keys', column: 'private_key_enc', rowId: row.key_id }, row.private_key_enc);
      const privateKey = createPrivateKey({ key: Buffer.from(pkcs8, 'base64'), format: 'der', type: 'pkcs8' });
      signer = { key_id: row.key_id, privateKey, at: now };
      return { key_id: row.key_id, privateKey };
    },

    /** Called after a save or delete (and on `assembly_changed`): the next resolve re-reads. */
    invalidate(guid: string, deleted = false): void {
      if (deleted) cache.forget(guid.toLowerCase());
      else cache.invalidate(guid.toLowerCase());
    },

    /** After a signal reconnect: every "latest" pointer is re-read on next use. */
    invalidateAll(): void {
      cache.invalidateAll();
    },

    /** Cache size in bytes (diagnostics). */
    cacheBytes(): number {
      return cache.bytes;
    },
  };
}

export type AssemblyService = ReturnType<typeof createAssemblyService>;
