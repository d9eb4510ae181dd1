// Every query on the credentials table.

import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { CredentialsTable } from '../../db/schema';
import { inSites } from '../../db/site-scope';
import type { DbExecutor } from '../audit/audit-log';

export type CredentialRow = Selectable<CredentialsTable>;

export function createCredentialRepository() {
  return {
    /** Credentials of `siteIds` (null = all, including those of no site), by name. */
    list(db: DbExecutor, siteIds: readonly number[] | null) {
      return db
        .selectFrom('credentials')
        .selectAll()
        .where((eb) => inSites(eb, 'site_id', siteIds))
        .orderBy(sql`lower(name)`)
        .orderBy('id')
        .execute();
    },

    findById(db: DbExecutor, id: number) {
      return db.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** The row, locked until the transaction ends, so concurrent updates queue behind it. */
    lockById(db: DbExecutor, id: number) {
      return db.selectFrom('credentials').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    },

    async insert(db: DbExecutor, row: Insertable<CredentialsTable>): Promise<number> {
      const { id } = await db.insertInto('credentials').values(row).returning('id').executeTakeFirstOrThrow();
      return id;
    },

    /** Writes the envelopes right after the insert, without touching `version`. */
    async setSecrets(db: DbExecutor, id: number, secrets: Updateable<CredentialsTable>): Promise<void> {
      if (Object.keys(secrets).length === 0) return;
      await db.updateTable('credentials').set(secrets).where('id', '=', id).execute();
    },

    /** Applies `changes` when the row still has `version`; undefined when it has moved on. */
    updateAtVersion(db: DbExecutor, id: number, version: number, changes: Updateable<CredentialsTable>) {
      return db
        .updateTable('credentials')
        .set({ ...changes, version: sql<number>`version + 1` })
        .where('id', '=', id)
        .where('version', '=', version)
        .returningAll()
        .executeTakeFirst();
    },

    async deleteById(db: DbExecutor, id: number): Promise<boolean> {
      const result = await db.deleteFrom('credentials').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
  };
}
