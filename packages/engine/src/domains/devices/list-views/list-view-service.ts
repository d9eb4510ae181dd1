// Saved device-grid views (routes.tsv `/api/device_list_views`, data-model.md (e)): shared views
// (owner NULL, as upstream) and private ones; "Default View" is reserved; edits carry If-Match.

import type { DeviceListView } from '@borealis/protocol';
import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../../../clock';
import type { Database, DeviceListViewsTable } from '../../../db/schema';
import { ConflictError, NotFoundError } from '../../../errors';
import type { DbExecutor } from '../../audit/audit-log';

export interface ListViewServiceDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
}

type Row = Selectable<DeviceListViewsTable>;

const isUniqueViolation = (err: unknown) => typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';

function present(row: Row): DeviceListView {
  const filters = row.filters;
  return {
    id: row.id,
    name: row.name,
    columns: Array.isArray(row.columns) ? row.columns.map(String) : [],
    filters: typeof filters === 'object' && filters !== null && !Array.isArray(filters) ? (filters as Record<string, unknown>) : {},
    owner_user_id: row.owner_user_id,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function createListViewService(deps: ListViewServiceDeps) {
  const { db, clock } = deps;

  /** A view the user may see: shared, or their own; anything else is 404. */
  const visible = async (executor: DbExecutor, userId: string, id: number): Promise<Row> => {
    const row = await executor
      .selectFrom('device_list_views')
      .selectAll()
      .where('id', '=', id)
      .where((eb) => eb.or([eb('owner_user_id', 'is', null), eb('owner_user_id', '=', userId)]))
      .executeTakeFirst();
    if (!row) throw new NotFoundError('No such view');
    return row;
  };

  const named = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`A view named "${name}" already exists`);
      throw err;
    }
  };

  const nameTaken = async (executor: DbExecutor, name: string, exceptId?: number) => {
    let q = executor.selectFrom('device_list_views').select('id').where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
    if (exceptId !== undefined) q = q.where('id', '<>', exceptId);
    return (await q.executeTakeFirst()) !== undefined;
  };

  return {
    async list(userId: string): Promise<{ views: DeviceListView[] }> {
      const rows = await db
        .selectFrom('device_list_views')
        .selectAll()
        .where((eb) => eb.or([eb('owner_user_id', 'is', null), eb('owner_user_id', '=', userId)]))
        .orderBy((eb) => eb.fn('lower', ['name']))
        .orderBy('id')
        .execute();
      return { views: rows.map(present) };
    },

    async get(userId: string, id: number): Promise<DeviceListView> {
      return present(await visible(db, userId, id));
    },

    async create(userId: string, input: { name: string; columns: string[]; filters?: Record<string, unknown> | undefined; private?: boolean | undefined }): Promise<DeviceListView> {
      return named(input.name, () =>
        db.transaction().execute(async (trx) => {
          if (await nameTaken(trx, input.name)) throw new ConflictError(`A view named "${input.name}" already exists`);
          const now = clock.now();
          const row = await trx
            .insertInto('device_list_views')
            .values({
              name: input.name,
              columns: JSON.stringify(input.columns),
              filters: JSON.stringify(input.filters ?? {}),
              owner_user_id: input.private ? userId : null,
              created_at: now,
              updated_at: now,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          return present(row);
        }),
      );
    },

    async update(userId: string, id: number, version: number, input: { name?: string | undefined; columns?: string[] | undefined; filters?: Record<string, unknown> | undefined }): Promise<DeviceListView> {
      return named(input.name ?? '', () =>
        db.transaction().execute(async (trx) => {
          const before = await visible(trx, userId, id);
          if (input.name !== undefined && (await nameTaken(trx, input.name, id))) throw new ConflictError(`A view named "${input.name}" already exists`);
          const row = await trx
            .updateTable('device_list_views')
            .set((eb) => ({
              ...(input.name !== undefined ? { name: input.name } : {}),
              ...(input.columns !== undefined ? { columns: JSON.stringify(input.columns) } : {}),
              ...(input.filters !== undefined ? { filters: JSON.stringify(input.filters) } : {}),
              updated_at: clock.now(),
              version: eb('version', '+', 1),
            }))
            .where('id', '=', id)
            .where('version', '=', version)
            .returningAll()
            .executeTakeFirst();
          if (!row) throw new ConflictError(`The view changed since version ${version} (now ${before.version}); reload it and edit again`, 'version_conflict');
          return present(row);
        }),
      );
    },

    async delete(userId: string, id: number): Promise<{ id: number; deleted: true }> {
      return db.transaction().execute(async (trx) => {
        await visible(trx, userId, id);
        await trx.deleteFrom('device_list_views').where('id', '=', id).execute();
        return { id, deleted: true as const };
      });
    },
  };
}
