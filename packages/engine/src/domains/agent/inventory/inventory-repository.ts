// SQL of inventory storage (data-model.md (e), §4): section upserts that write only changed hashes,
// software titles and per-device software rows, and the inventory columns copied onto `devices`.

import { sql } from 'kysely';
import type { DbExecutor } from '../../audit/audit-log';

export interface SectionRow {
  readonly section: string;
  readonly data: string;
  readonly hash: Buffer;
  readonly sizeBytes: number;
}

export interface SoftwareRow {
  readonly nameLower: string;
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
  readonly source: string;
  readonly installedAt: string | null;
}

export interface StoredSoftwareRow {
  readonly title_id: string;
  readonly name_lower: string;
  readonly version: string;
  readonly architecture: string;
  readonly source: string;
  readonly installed_at: Date | null;
}

const CHUNK = 1000;
const chunks = <T>(rows: readonly T[]): T[][] => Array.from({ length: Math.ceil(rows.length / CHUNK) }, (_, i) => rows.slice(i * CHUNK, (i + 1) * CHUNK));

export async function sectionHashes(executor: DbExecutor, rowGuid: string): Promise<Map<string, string>> {
  const rows = await executor.selectFrom('device_inventory').select(['section', 'hash']).where('device_guid', '=', rowGuid).execute();
  return new Map(rows.map((r) => [r.section, r.hash.toString('hex')]));
}

/** One INSERT for every sent section; returns the sections actually written (hash changed or new). */
export async function upsertSections(executor: DbExecutor, rowGuid: string, rows: readonly SectionRow[], collectedAt: Date, now: Date): Promise<string[]> {
  if (!rows.length) return [];
  const written = await executor
    .insertInto('device_inventory')
    .values(rows.map((r) => ({ device_guid: rowGuid, section: r.section, data: r.data, hash: r.hash, size_bytes: r.sizeBytes, collected_at: collectedAt, updated_at: now })))
    .onConflict((oc) =>
      oc
        .columns(['device_guid', 'section'])
        .doUpdateSet({
          data: (eb) => eb.ref('excluded.data'),
          hash: (eb) => eb.ref('excluded.hash'),
          size_bytes: (eb) => eb.ref('excluded.size_bytes'),
          collected_at: (eb) => eb.ref('excluded.collected_at'),
          updated_at: (eb) => eb.ref('excluded.updated_at'),
        })
        .where(sql<boolean>`device_inventory.hash IS DISTINCT FROM excluded.hash`),
    )
    .returning('section')
    .execute();
  return written.map((r) => r.section);
}

export async function storedSoftware(executor: DbExecutor, rowGuid: string): Promise<StoredSoftwareRow[]> {
  return executor
    .selectFrom('device_software_inventory as i')
    .innerJoin('software_titles as t', 't.id', 'i.title_id')
    .select(['i.title_id', 't.name_lower', 'i.version', 'i.architecture', 'i.source', 'i.installed_at'])
    .where('i.device_guid', '=', rowGuid)
    .execute();
}

/** Title ids by lower-case name, creating the missing titles. */
export async function ensureTitles(executor: DbExecutor, titles: ReadonlyMap<string, string>): Promise<Map<string, string>> {
  const entries = [...titles.entries()].map(([nameLower, name]) => ({ name_lower: nameLower, name }));
  const ids = new Map<string, string>();
  for (const chunk of chunks(entries)) {
    // Arrays, not one parameter per name: a first upload names hundreds of titles, and planning a
    // statement with a thousand parameters cost PostgreSQL more than running it (enrolment bursts).
    const names = chunk.map((c) => c.name_lower);
    await sql`
      INSERT INTO software_titles (name_lower, name)
      SELECT * FROM unnest(${names}::text[], ${chunk.map((c) => c.name)}::text[])
      ON CONFLICT (name_lower) DO NOTHING`.execute(executor);
    for (const [nameLower, id] of await titlesNamed(executor, names)) ids.set(nameLower, id);
  }
  return ids;
}

/**
 * Title ids of the given lower-case names. Written as a range per name, not `= ANY(names)`: pg_trgm's
 * GIN index also answers `=`, and before ANALYZE has run the planner picked it, reading a posting
 * list per trigram (224 ms for 200 names at 3,000 titles); a range can only be served by the btree.
 */
export async function titlesNamed(executor: DbExecutor, names: readonly string[]): Promise<Map<string, string>> {
  if (!names.length) return new Map();
  const rows = await titlesNamedQuery(names).execute(executor);
  return new Map(rows.rows.map((r) => [r.name_lower, String(r.id)]));
}

/** The statement of `titlesNamed`, exported for its plan test. */
export const titlesNamedQuery = (names: readonly string[]) => sql<{ id: string | number; name_lower: string }>`
  SELECT t.id, t.name_lower
  FROM unnest(${names}::text[]) AS v(n)
  CROSS JOIN LATERAL (SELECT id, name_lower FROM software_titles WHERE name_lower >= v.n AND name_lower <= v.n) AS t`;

export interface SoftwareKey {
  readonly titleId: string;
  readonly source: string;
  readonly architecture: string;
}

export async function deleteSoftware(executor: DbExecutor, rowGuid: string, keys: readonly SoftwareKey[]): Promise<void> {
  for (const chunk of chunks(keys)) {
    await sql`
      DELETE FROM device_software_inventory AS i
      USING unnest(${chunk.map((k) => k.titleId)}::bigint[], ${chunk.map((k) => k.source)}::text[], ${chunk.map((k) => k.architecture)}::text[]) AS v(title_id, source, architecture)
      WHERE i.device_guid = ${rowGuid}::uuid AND i.title_id = v.title_id AND i.source = v.source AND i.architecture = v.architecture`.execute(executor);
  }
}

export async function upsertSoftware(
  executor: DbExecutor,
  rowGuid: string,
  rows: readonly (SoftwareKey & { readonly version: string; readonly installedAt: string | null })[],
): Promise<void> {
  for (const chunk of chunks(rows)) {
    await executor
      .insertInto('device_software_inventory')
      .values(chunk.map((r) => ({ device_guid: rowGuid, title_id: r.titleId, version: r.version, architecture: r.architecture, source: r.source, installed_at: r.installedAt })))
      .onConflict((oc) =>
        oc.columns(['device_guid', 'title_id', 'source', 'architecture']).doUpdateSet({ version: (eb) => eb.ref('excluded.version'), installed_at: (eb) => eb.ref('excluded.installed_at') }),
      )
      .execute();
  }
}
