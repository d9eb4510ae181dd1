// The bundled official set (automation.md §1.3, §1.7): read from assemblies/official/ (manifest.json
// + items/<guid>.json), built from the catalog, and upserted by content hash at start.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { AssemblyGuidSchema } from '@borealis/protocol';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { normalizePayload, type NormalizedPayload } from './assembly-document';
import { assemblyTypeOf } from './assembly-library';
import { createAssemblyRepository } from './assembly-repository';
import { OFFICIAL_CATALOG, type OfficialEntry } from './official-catalog';

export const OFFICIAL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'assemblies', 'official');

export interface OfficialItem {
  readonly assembly_guid: string;
  readonly assembly_type: string;
  readonly assembly_subtype: string;
  readonly display_name: string;
  readonly summary: string;
  readonly domain: 'official';
  readonly source_path: string;
  readonly content_hash: string;
  readonly payload: NormalizedPayload['payload'];
}

export interface OfficialManifest {
  readonly format: 'borealis-official-assemblies-v1';
  readonly assemblies: ReadonlyArray<{ assembly_guid: string; display_name: string; file: string; content_hash: string }>;
}

/** The item file a catalog entry and its script make (what build-official-assemblies.ts writes). */
export function buildOfficialItem(entry: OfficialEntry, script: string): OfficialItem {
  const n = normalizePayload({
    version: 1,
    name: entry.name,
    description: entry.description,
    category: 'script',
    type: 'bash',
    script,
    script_encoding: 'plain',
    platforms: ['linux'],
    timeout_seconds: entry.timeout_seconds,
    warning_exit_codes: [...entry.warning_exit_codes],
    variables: entry.variables,
    files: [],
  });
  return {
    assembly_guid: entry.guid,
    assembly_type: assemblyTypeOf(n.payload.type),
    assembly_subtype: n.payload.type,
    display_name: entry.name,
    summary: entry.summary,
    domain: 'official',
    source_path: `items/${entry.guid}.json`,
    content_hash: n.contentHash,
    payload: n.payload,
  };
}

/** Builds every item from the catalog and the shell sources (the build script and a sync test use it). */
export function buildOfficialSet(dir = OFFICIAL_DIR): { items: OfficialItem[]; manifest: OfficialManifest } {
  const items = OFFICIAL_CATALOG.map((entry) => buildOfficialItem(entry, readFileSync(join(dir, 'src', `${entry.slug}.sh`), 'utf8')));
  return {
    items,
    manifest: {
      format: 'borealis-official-assemblies-v1',
      assemblies: items.map((i) => ({ assembly_guid: i.assembly_guid, display_name: i.display_name, file: i.source_path, content_hash: i.content_hash })),
    },
  };
}

/** Reads the shipped files; each payload is normalized again so a hand-edited item cannot lie about its hash. */
export function loadOfficialSet(dir = OFFICIAL_DIR): Array<OfficialItem & { normalized: NormalizedPayload }> {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as OfficialManifest;
  return manifest.assemblies.map((m) => {
    const item = JSON.parse(readFileSync(join(dir, m.file), 'utf8')) as OfficialItem;
    const guid = AssemblyGuidSchema.parse(item.assembly_guid);
    if (guid !== m.assembly_guid) throw new Error(`official assembly ${m.file}: GUID differs from the manifest`);
    const normalized = normalizePayload({ ...item.payload, name: item.display_name });
    return { ...item, assembly_guid: guid, content_hash: normalized.contentHash, normalized };
  });
}

/** Advisory lock (1112494661, 17): seeding the official set. */
const OFFICIAL_SEED_LOCK = sql`SELECT pg_advisory_xact_lock(1112494661, 17)`;

export interface SeedResult {
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly deleted: number;
}

/**
 * Upserts the official set by content hash and deletes official GUIDs no longer listed
 * (data-model.md start-up step 4). Idempotent; one transaction.
 */
export async function seedOfficialAssemblies(deps: { db: Kysely<Database>; clock: Clock; dir?: string }): Promise<SeedResult> {
  const items = loadOfficialSet(deps.dir);
  const repo = createAssemblyRepository();
  return deps.db.transaction().execute(async (trx) => {
    // Several api nodes may start at once; one seeds, the others then find nothing to do.
    await OFFICIAL_SEED_LOCK.execute(trx);
    const existing = new Map((await repo.officialGuids(trx)).map((r) => [r.assembly_guid, r]));
    let inserted = 0;
    let updated = 0;
    let unchanged = 0;
    const now = deps.clock.now();
    for (const item of items) {
      const hash = Buffer.from(item.content_hash, 'hex');
      const row = existing.get(item.assembly_guid);
      existing.delete(item.assembly_guid);
      if (row && row.content_hash.equals(hash)) {
        unchanged += 1;
        continue;
      }
      const envelope = {
        assembly_type: item.assembly_type,
        assembly_subtype: item.normalized.payload.type,
        display_name: item.display_name,
        summary: item.summary,
        platforms: item.normalized.payload.platforms,
        source_path: item.source_path,
        content_hash: hash,
        updated_at: now,
      };
      if (!row) {
        const clash = await repo.find(trx, item.assembly_guid);
        if (clash) throw new Error(`official assembly ${item.assembly_guid} clashes with a ${clash.domain} assembly of that GUID`);
        await repo.insert(trx, { ...envelope, assembly_guid: item.assembly_guid, domain: 'official', site_id: null, revision: 1, created_by_user_id: null, created_at: now });
        await repo.insertRevision(trx, { assembly_guid: item.assembly_guid, revision: 1, payload: item.normalized.payload, content_hash: hash, script_bytes: item.normalized.scriptBytes, change_note: 'Bundled with the engine', created_by_user_id: null, created_at: now });
        inserted += 1;
      } else {
        const revision = Math.max(row.revision, await repo.maxRevision(trx, item.assembly_guid)) + 1;
        await repo.insertRevision(trx, { assembly_guid: item.assembly_guid, revision, payload: item.normalized.payload, content_hash: hash, script_bytes: item.normalized.scriptBytes, change_note: 'Updated with the engine', created_by_user_id: null, created_at: now });
        await repo.update(trx, item.assembly_guid, { ...envelope, revision });
        await repo.prune(trx, item.assembly_guid, revision);
        updated += 1;
      }
    }
    for (const guid of existing.keys()) await repo.remove(trx, guid);
    return { inserted, updated, unchanged, deleted: existing.size };
  });
}
