// Every query on device_filters and device_filter_sites.

import type { Selectable } from 'kysely';
import type { DeviceFiltersTable, FilterSiteMode } from '../../db/schema';
import type { DbExecutor } from '../audit/audit-log';

export type FilterRow = Selectable<DeviceFiltersTable> & { site_ids: number[] };

export interface FilterWrite {
  readonly name: string;
  readonly description: string | null;
  readonly site_mode: FilterSiteMode;
  readonly criteria: unknown;
}

const COLUMNS = ['id', 'name', 'description', 'archived', 'site_mode', 'criteria', 'created_by_user_id', 'last_edited_by', 'version', 'created_at', 'updated_at'] as const;

export function createFilterRepository() {
  const withSites = async (executor: DbExecutor, rows: Array<Selectable<DeviceFiltersTable>>): Promise<FilterRow[]> => {
    if (rows.length === 0) return [];
    const links = await executor
      .selectFrom('device_filter_sites')
      .select(['filter_id', 'site_id'])
      .where(
        'filter_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('site_id')
      .execute();
    const byFilter = new Map<number, number[]>();
    for (const l of links) byFilter.set(l.filter_id, [...(byFilter.get(l.filter_id) ?? []), l.site_id]);
    return rows.map((r) => ({ ...r, site_ids: byFilter.get(r.id) ?? [] }));
  };

  const setSites = async (executor: DbExecutor, id: number, siteIds: readonly number[]) => {
    await executor.deleteFrom('device_filter_sites').where('filter_id', '=', id).execute();
    if (siteIds.length) await executor.insertInto('device_filter_sites').values(siteIds.map((site_id) => ({ filter_id: id, site_id }))).execute();
  };

  return {
    async findById(executor: DbExecutor, id: number): Promise<FilterRow | undefined> {
      const row = await executor.selectFrom('device_filters').select(COLUMNS).where('id', '=', id).executeTakeFirst();
      return row ? (await withSites(executor, [row]))[0] : undefined;
    },

    async list(executor: DbExecutor, input: { archived: boolean | null; q?: string; limit?: number }): Promise<FilterRow[]> {
      let query = executor.selectFrom('device_filters').select(COLUMNS).orderBy((eb) => eb.fn('lower', ['name'])).orderBy('id');
      if (input.archived !== null) query = query.where('archived', '=', input.archived);
      if (input.q) {
        const pattern = `%${input.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        query = query.where((eb) => eb.or([eb(eb.fn('lower', ['name']), 'like', pattern), eb(eb.fn('lower', ['description']), 'like', pattern)]));
      }
      if (input.limit) query = query.limit(input.limit);
      return withSites(executor, await query.execute());
    },

    async nameTaken(executor: DbExecutor, name: string, exceptId?: number): Promise<boolean> {
      let q = executor.selectFrom('device_filters').select('id').where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
      if (exceptId !== undefined) q = q.where('id', '<>', exceptId);
      return (await q.executeTakeFirst()) !== undefined;
    },

    async insert(executor: DbExecutor, input: FilterWrite & { siteIds: readonly number[]; createdBy: string | null; editedBy: string | null; now: Date }): Promise<number> {
      const { id } = await executor
        .insertInto('device_filters')
        .values({
          name: input.name,
          description: input.description,
          site_mode: input.site_mode,
          criteria: JSON.stringify(input.criteria),
          created_by_user_id: input.createdBy,
          last_edited_by: input.editedBy,
          created_at: input.now,
          updated_at: input.now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await setSites(executor, id, input.siteIds);
      return id;
    },

    /** Replaces the document when `version` still matches; false when it does not (or the row is gone). */
    async update(executor: DbExecutor, id: number, version: number, input: FilterWrite & { siteIds: readonly number[]; editedBy: string | null; now: Date }): Promise<boolean> {
      const r = await executor
        .updateTable('device_filters')
        .set((eb) => ({
          name: input.name,
          description: input.description,
          site_mode: input.site_mode,
          criteria: JSON.stringify(input.criteria),
          last_edited_by: input.editedBy,
          updated_at: input.now,
          version: eb('version', '+', 1),
        }))
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await setSites(executor, id, input.siteIds);
      return true;
    },

    async setArchived(executor: DbExecutor, id: number, archived: boolean, editedBy: string | null, now: Date): Promise<boolean> {
      const r = await executor
        .updateTable('device_filters')
        .set((eb) => ({ archived, last_edited_by: editedBy, updated_at: now, version: eb('version', '+', 1) }))
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async delete(executor: DbExecutor, id: number): Promise<boolean> {
      const r = await executor.deleteFrom('device_filters').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

export type FilterRepository = ReturnType<typeof createFilterRepository>;
