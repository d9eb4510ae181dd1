// Every query on `assemblies` and `assembly_revisions` (data-model.md §3 (f)), plus the in-use
// check against scheduled-job components and the revision retention rule (last 50 + pinned + named).

import { sql, type Selectable } from 'kysely';
import type { AssembliesTable, AssemblyRevisionsTable } from '../../db/schema';
import { keysetPage, toPage, type CursorPosition, type Keyset } from '../../db/cursor';
import type { DbExecutor } from '../audit/audit-log';

export type AssemblyRow = Selectable<AssembliesTable>;
export type RevisionRow = Selectable<AssemblyRevisionsTable>;

export const ASSEMBLY_KEYSET: Keyset = { key: { column: 'a.display_name', type: 'text' }, id: { column: 'a.assembly_guid', type: 'text' } };
const KEEP_REVISIONS = 50;

export interface NewRevision {
  readonly assembly_guid: string;
  readonly revision: number;
  readonly payload: unknown;
  readonly content_hash: Buffer;
  readonly script_bytes: number;
  readonly change_note: string | null;
  readonly pinned?: boolean;
  readonly created_by_user_id: string | null;
  readonly created_at: Date;
}

export function createAssemblyRepository() {
  return {
    async find(db: DbExecutor, guid: string, forUpdate = false): Promise<AssemblyRow | undefined> {
      let q = db.selectFrom('assemblies').selectAll().where('assembly_guid', '=', guid);
      if (forUpdate) q = q.forUpdate();
      return q.executeTakeFirst();
    },

    async findWithPayload(db: DbExecutor, guid: string) {
      return db
        .selectFrom('assemblies as a')
        .innerJoin('assembly_revisions as r', (j) => j.onRef('r.assembly_guid', '=', 'a.assembly_guid').onRef('r.revision', '=', 'a.revision'))
        .selectAll('a')
        .select(['r.payload', 'r.script_bytes'])
        .where('a.assembly_guid', '=', guid)
        .executeTakeFirst();
    },

    async list(db: DbExecutor, filter: { q?: string; domain?: AssemblyRow['domain']; after?: CursorPosition; limit: number }) {
      let q = db
        .selectFrom('assemblies as a')
        .innerJoin('assembly_revisions as r', (j) => j.onRef('r.assembly_guid', '=', 'a.assembly_guid').onRef('r.revision', '=', 'a.revision'))
        .selectAll('a')
        .select(['r.script_bytes', sql<number>`jsonb_array_length(r.payload->'variables')`.as('variable_count'), sql<number>`(r.payload->>'timeout_seconds')::int`.as('timeout_seconds')]);
      if (filter.domain) q = q.where('a.domain', '=', filter.domain);
      if (filter.q) {
        const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        q = q.where((eb) => eb.or([eb('a.display_name', 'ilike', like), eb('a.summary', 'ilike', like), eb('a.assembly_guid', '=', filter.q!.toLowerCase())]));
      }
      const rows = await keysetPage(q, ASSEMBLY_KEYSET, { direction: 'asc', after: filter.after, limit: filter.limit }).execute();
      return toPage(rows, filter.limit);
    },

    async insert(db: DbExecutor, row: AssemblyRow): Promise<void> {
      await db.insertInto('assemblies').values(row).execute();
    },

    async update(db: DbExecutor, guid: string, changes: Partial<AssemblyRow>): Promise<void> {
      await db.updateTable('assemblies').set(changes).where('assembly_guid', '=', guid).execute();
    },

    async remove(db: DbExecutor, guid: string): Promise<void> {
      await db.deleteFrom('assemblies').where('assembly_guid', '=', guid).execute();
    },

    async insertRevision(db: DbExecutor, rev: NewRevision): Promise<void> {
      await db
        .insertInto('assembly_revisions')
        .values({ ...rev, payload: JSON.stringify(rev.payload), pinned: rev.pinned ?? false })
        .execute();
    },

    async maxRevision(db: DbExecutor, guid: string): Promise<number> {
      const row = await db.selectFrom('assembly_revisions').select((eb) => eb.fn.max('revision').as('n')).where('assembly_guid', '=', guid).executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async revisions(db: DbExecutor, guid: string) {
      return db
        .selectFrom('assembly_revisions as r')
        .leftJoin('users as u', 'u.id', 'r.created_by_user_id')
        .select(['r.revision', 'r.content_hash', 'r.script_bytes', 'r.change_note', 'r.pinned', 'r.created_by_user_id', 'r.created_at', 'u.username as created_by_name'])
        .where('r.assembly_guid', '=', guid)
        .orderBy('r.revision', 'desc')
        .execute();
    },

    async revision(db: DbExecutor, guid: string, revision: number) {
      return db
        .selectFrom('assembly_revisions as r')
        .leftJoin('users as u', 'u.id', 'r.created_by_user_id')
        .selectAll('r')
        .select('u.username as created_by_name')
        .where('r.assembly_guid', '=', guid)
        .where('r.revision', '=', revision)
        .executeTakeFirst();
    },

    /** Names of scheduled jobs whose components name this assembly (`409 assembly_in_use`). */
    async usedBy(db: DbExecutor, guid: string): Promise<string[]> {
      const { rows } = await sql<{ name: string }>`
        SELECT j.name FROM scheduled_jobs j
        WHERE EXISTS (
          SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(j.components) = 'array' THEN j.components ELSE '[]'::jsonb END) c
          WHERE lower(c->>'assembly_guid') = ${guid}
        )
        ORDER BY j.name LIMIT 20`.execute(db);
      return rows.map((r) => r.name);
    },

    /**
     * Drops revisions beyond the newest 50, except pinned ones and ones a scheduled component or a
     * live execution names (data-model.md §3 (f)).
     */
    async prune(db: DbExecutor, guid: string, current: number): Promise<void> {
      await sql`
        DELETE FROM assembly_revisions r
        WHERE r.assembly_guid = ${guid}
          AND r.revision <= ${current - KEEP_REVISIONS}
          AND NOT r.pinned
          AND NOT EXISTS (
            SELECT 1 FROM scheduled_jobs j, jsonb_array_elements(CASE WHEN jsonb_typeof(j.components) = 'array' THEN j.components ELSE '[]'::jsonb END) c
            WHERE lower(c->>'assembly_guid') = ${guid} AND c->>'assembly_revision' = r.revision::text)
          AND NOT EXISTS (
            SELECT 1 FROM activity_history h
            WHERE h.assembly_guid = ${guid} AND h.assembly_revision = r.revision AND h.status IN ('Pending', 'Running'))`.execute(db);
    },

    async officialGuids(db: DbExecutor) {
      return db.selectFrom('assemblies').select(['assembly_guid', 'content_hash', 'revision']).where('domain', '=', 'official').execute();
    },
  };
}

export type AssemblyRepository = ReturnType<typeof createAssemblyRepository>;
