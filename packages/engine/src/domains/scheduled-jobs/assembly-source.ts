// Which assembly revision a component runs (automation.md §1.3): read from the assemblies tables so
// materialization freezes guid, revision, hash and name. The assemblies branch's service can replace
// this through the same interface.

import type { DbExecutor } from '../audit/audit-log';

export interface ResolvedAssembly {
  readonly assembly_guid: string;
  readonly revision: number;
  readonly content_hash: Buffer;
  readonly display_name: string;
}

export interface AssemblySource {
  resolve(db: DbExecutor, guid: string, revision?: number | null): Promise<ResolvedAssembly | null>;
}

export const tableAssemblySource: AssemblySource = {
  async resolve(db, guid, revision) {
    const row = await db
      .selectFrom('assemblies as a')
      .innerJoin('assembly_revisions as r', 'r.assembly_guid', 'a.assembly_guid')
      .select(['a.assembly_guid', 'r.revision', 'r.content_hash', 'a.display_name'])
      .where('a.assembly_guid', '=', guid.toLowerCase())
      .where((eb) => (revision ? eb('r.revision', '=', revision) : eb('r.revision', '=', eb.ref('a.revision'))))
      .executeTakeFirst();
    return row ?? null;
  },
};
