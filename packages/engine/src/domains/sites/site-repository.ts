// Every query on the sites table.

import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { SitesTable } from '../../db/schema';
import { inSites } from '../../db/site-scope';
import { lowerDisplayNameIn } from '../devices/display-name-sql';
import type { DbExecutor } from '../audit/audit-log';

export type SiteRow = Selectable<SitesTable>;

/** A PostgreSQL unique violation (SQLSTATE 23505), as node-postgres and PGlite both report it. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === '23505';
}

export function createSiteRepository() {
  return {
    /** Sites among `siteIds` (null = all), by lower-cased name. */
    list(db: DbExecutor, siteIds: readonly number[] | null) {
      return db.selectFrom('sites').selectAll().where((eb) => inSites(eb, 'id', siteIds)).orderBy(sql`lower(name)`).orderBy('id').execute();
    },

    findById(db: DbExecutor, id: number) {
      return db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst();
    },

    findByIds(db: DbExecutor, ids: readonly number[]) {
      if (ids.length === 0) return Promise.resolve([]);
      return db.selectFrom('sites').select(['id', 'name']).where('id', 'in', [...ids]).execute();
    },

    /** Another site already called `name` (case-insensitive)? */
    async nameTaken(db: DbExecutor, name: string, exceptId?: number): Promise<boolean> {
      let q = db.selectFrom('sites').select('id').where(sql<string>`lower(name)`, '=', name.toLowerCase());
      if (exceptId !== undefined) q = q.where('id', '<>', exceptId);
      return (await q.executeTakeFirst()) !== undefined;
    },

    async insert(db: DbExecutor, row: Insertable<SitesTable>): Promise<number> {
      const { id } = await db.insertInto('sites').values(row).returning('id').executeTakeFirstOrThrow();
      return id;
    },

    /** Applies `changes`, bumps `version`; undefined when the site does not exist. */
    update(db: DbExecutor, id: number, changes: Updateable<SitesTable>) {
      return db
        .updateTable('sites')
        .set({ ...changes, version: sql<number>`version + 1` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },

    /** Writes a value without touching `version` (the envelope right after the insert). */
    async setEnrollmentCodeEnc(db: DbExecutor, id: number, enc: string): Promise<void> {
      await db.updateTable('sites').set({ enrollment_code_enc: enc }).where('id', '=', id).execute();
    },

    /** Devices per site (retired ones not counted), for the given sites (null = all). */
    async deviceCounts(db: DbExecutor, siteIds: readonly number[] | null): Promise<Map<number, number>> {
      if (siteIds !== null && siteIds.length === 0) return new Map();
      let q = db
        .selectFrom('devices')
        .select(['site_id', (eb) => eb.fn.countAll<string>().as('n')])
        .where('site_id', 'is not', null)
        .where('status', '<>', 'decommissioned')
        .groupBy('site_id');
      if (siteIds !== null) q = q.where('site_id', 'in', [...siteIds]);
      const rows = await q.execute();
      return new Map(rows.map((r) => [r.site_id!, Number(r.n)]));
    },

    /** Hostname → site for the devices in `siteIds` (null = all) that have a site. */
    deviceMap(db: DbExecutor, siteIds: readonly number[] | null) {
      return db
        .selectFrom('devices as d')
        .innerJoin('sites as s', 's.id', 'd.site_id')
        .select(['d.display_name', 'd.site_id', 's.name as site_name'])
        .where((eb) => inSites(eb, 'd.site_id', siteIds))
        .where('d.status', '<>', 'decommissioned')
        .orderBy(sql`lower(d.display_name)`)
        .execute();
    },

    /** Moves the named devices (display names, any case) into a site; returns the names matched. */
    async assignDevices(db: DbExecutor, siteId: number, hostnames: readonly string[], now: Date): Promise<Array<{ guid: string; display_name: string; site_id: number | null }>> {
      if (hostnames.length === 0) return [];
      const lowered = [...new Set(hostnames.map((h) => h.toLowerCase()))];
      const before = await db
        .selectFrom('devices')
        .select(['guid', 'display_name', 'site_id'])
        .where(lowerDisplayNameIn(lowered))
        .execute();
      if (before.length) {
        await db
          .updateTable('devices')
          .set({ site_id: siteId, updated_at: now, version: sql<number>`version + 1` })
          .where(
            'guid',
            'in',
            before.map((d) => d.guid),
          )
          .execute();
      }
      return before;
    },

    async deleteByIds(db: DbExecutor, ids: readonly number[]): Promise<number[]> {
      if (ids.length === 0) return [];
      const rows = await db.deleteFrom('sites').where('id', 'in', [...ids]).returning('id').execute();
      return rows.map((r) => r.id);
    },
  };
}

export type SiteRepository = ReturnType<typeof createSiteRepository>;
