// Every read and write on the device tables for the registry: list pages, counts, one device,
// inventory sections and software, descriptions, containment writes and purge deletes.

import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { DbExecutor } from '../audit/audit-log';
import {
  allOf,
  cursorColumns,
  DETAIL_COLUMNS,
  DEVICE_COUNT_FROM,
  DEVICE_FROM,
  LIST_COLUMNS,
  orderBy,
  pageSegments,
  type CursorValue,
  type DeviceDetailRow,
  type DeviceListRow,
  type SortPlan,
} from './device-list-sql';

type Predicate = RawBuilder<SqlBool>;

/** Rows outside these sites never match; null = every device (admins). */
export function scopePredicate(siteIds: readonly number[] | null): Predicate {
  if (siteIds === null) return sql<SqlBool>`true`;
  if (siteIds.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`d.site_id IN (${sql.join(siteIds)})`;
}

export function guidPredicate(guid: string): Predicate {
  return sql<SqlBool>`d.guid = CAST(${guid} AS uuid)`;
}

export function displayNamePredicate(name: string): Predicate {
  return sql<SqlBool>`lower(d.display_name) = ${name.toLowerCase()}`;
}

export type PageRow = DeviceListRow & Record<`c${number}`, string | null> & { total_matches?: string };

export function createDeviceRepository() {
  return {
    /**
     * Up to `limit + 1` rows in the plan's order after `after`, with their cursor columns. The
     * order is found on narrow rows (keys and GUIDs; joins that no predicate reads are dropped),
     * then the page's full rows are fetched by GUID: a top-N sort then carries 50 bytes a row,
     * not a kilobyte.
     */
    async listPage(
      executor: DbExecutor,
      input: { where: readonly Predicate[]; plan: SortPlan; after: readonly CursorValue[] | null; limit: number; withTotal?: boolean },
    ): Promise<PageRow[]> {
      type KeyRow = Record<`c${number}`, string | null> & { guid: string; total_matches?: string };
      const keys: KeyRow[] = [];
      // The first page of a search counts its matches in the same pass (a window over the rows
      // the search subquery has already produced) instead of running the search twice.
      const total = input.withTotal && !input.after ? sql`, count(*) OVER () AS total_matches` : sql``;
      // last_seen walks the heartbeat index, which needs the inner join to drive from it.
      const from = input.plan.nullableFirst ? DEVICE_FROM : DEVICE_COUNT_FROM;
      for (const segment of pageSegments(input.plan, input.after)) {
        const want = input.limit + 1 - keys.length;
        if (want <= 0) break;
        const { rows } = await sql<KeyRow>`SELECT d.guid, ${cursorColumns(input.plan)}${total} FROM ${from}
          WHERE ${allOf([...input.where, ...segment])} ORDER BY ${orderBy(input.plan)} LIMIT ${want}`.execute(executor);
        keys.push(...rows);
      }
      if (keys.length === 0) return [];
      const { rows } = await sql<DeviceListRow>`SELECT ${LIST_COLUMNS} FROM ${DEVICE_FROM}
        WHERE d.guid = ANY(CAST(${`{${keys.map((k) => k.guid).join(',')}}`} AS uuid[]))`.execute(executor);
      const byGuid = new Map(rows.map((r) => [r.guid, r]));
      // A device purged between the two reads simply drops out of the page.
      return keys.flatMap((k) => {
        const row = byGuid.get(k.guid);
        return row ? [{ ...row, ...k }] : [];
      });
    },

    /** Matching rows, counting at most `cap` (null = all). */
    async count(executor: DbExecutor, where: readonly Predicate[], cap: number | null): Promise<number> {
      const limit = cap === null ? sql`` : sql`LIMIT ${cap}`;
      const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM (SELECT 1 FROM ${DEVICE_COUNT_FROM} WHERE ${allOf(where)} ${limit}) AS m`.execute(executor);
      return Number(rows[0]?.n ?? 0);
    },

    /** First rows by hostname (previews, search). */
    async listByName(executor: DbExecutor, where: readonly Predicate[], limit: number): Promise<DeviceListRow[]> {
      const { rows } = await sql<DeviceListRow>`SELECT ${LIST_COLUMNS} FROM ${DEVICE_FROM} WHERE ${allOf(where)}
        ORDER BY lower(d.display_name), d.guid LIMIT ${limit}`.execute(executor);
      return rows;
    },

    async findOne(executor: DbExecutor, where: readonly Predicate[]): Promise<DeviceDetailRow | undefined> {
      const { rows } = await sql<DeviceDetailRow>`SELECT ${DETAIL_COLUMNS} FROM ${DEVICE_FROM} WHERE ${allOf(where)} LIMIT 1`.execute(executor);
      return rows[0];
    },

    /** The device row locked for a status change. */
    lockDevice(executor: DbExecutor, guid: string) {
      return executor
        .selectFrom('devices')
        .select(['guid', 'display_name', 'hostname', 'site_id', 'status', 'token_version', 'agent_id'])
        .where('guid', '=', guid)
        .forUpdate()
        .executeTakeFirst();
    },

    async inventory(executor: DbExecutor, guid: string) {
      return executor.selectFrom('device_inventory').select(['section', 'data', 'collected_at', 'updated_at']).where('device_guid', '=', guid).execute();
    },

    async software(executor: DbExecutor, guid: string) {
      return executor
        .selectFrom('device_software_inventory as si')
        .innerJoin('software_titles as t', 't.id', 'si.title_id')
        .select(['t.name', 'si.version', 'si.architecture', 'si.source', 'si.installed_at'])
        .where('si.device_guid', '=', guid)
        .orderBy('t.name_lower')
        .orderBy('si.source')
        .orderBy('si.architecture')
        .execute();
    },

    async setDescription(executor: DbExecutor, guid: string, description: string | null, now: Date): Promise<void> {
      await executor
        .updateTable('devices')
        .set((eb) => ({ description, updated_at: now, version: eb('version', '+', 1) }))
        .where('guid', '=', guid)
        .execute();
    },

    /** Status change with the token_version bump in the same UPDATE (data-model.md §6). */
    async setStatus(
      executor: DbExecutor,
      guid: string,
      input: { status: DeviceListRow['status']; reason: string | null; by: string | null; now: Date },
    ): Promise<{ token_version: number; status_changed_at: Date }> {
      return executor
        .updateTable('devices')
        .set((eb) => ({
          status: input.status,
          status_reason: input.reason,
          status_changed_at: input.now,
          status_changed_by: input.by,
          token_version: eb('token_version', '+', 1),
          version: eb('version', '+', 1),
          updated_at: input.now,
        }))
        .where('guid', '=', guid)
        .returning(['token_version', 'status_changed_at'])
        .executeTakeFirstOrThrow() as Promise<{ token_version: number; status_changed_at: Date }>;
    },

    /** The device's live refresh families (before they are revoked, for the audit trail). */
    async liveFamilies(executor: DbExecutor, guid: string): Promise<string[]> {
      const rows = await executor.selectFrom('refresh_tokens').select('family_id').distinct().where('device_guid', '=', guid).where('revoked_at', 'is', null).execute();
      return rows.map((r) => r.family_id);
    },

    async writeBarrier(executor: DbExecutor, input: { guid: string; requiredTokenVersion: number; now: Date; userId: string | null; hostname: string; agentId: string }): Promise<number> {
      const row = await executor
        .insertInto('device_purge_barriers')
        .values({
          device_guid: input.guid,
          required_token_version: input.requiredTokenVersion,
          purged_at: input.now,
          purged_by_user_id: input.userId,
          last_hostname: input.hostname,
          last_agent_id: input.agentId,
        })
        .onConflict((oc) =>
          oc.column('device_guid').doUpdateSet((eb) => ({
            required_token_version: sql<number>`greatest(${eb.ref('device_purge_barriers.required_token_version')}, ${eb.ref('excluded.required_token_version')})`,
            purged_at: eb.ref('excluded.purged_at'),
            purged_by_user_id: eb.ref('excluded.purged_by_user_id'),
            last_hostname: eb.ref('excluded.last_hostname'),
            last_agent_id: eb.ref('excluded.last_agent_id'),
          })),
        )
        .returning('required_token_version')
        .executeTakeFirstOrThrow();
      return row.required_token_version;
    },

    /** Deletes the device and everything hanging off it; returns the rows removed per table. */
    async purgeRows(executor: DbExecutor, guid: string): Promise<Record<string, number>> {
      const counts: Record<string, number> = {};
      const tables = ['device_keys', 'refresh_tokens', 'device_inventory', 'device_software_inventory', 'device_metadata_fields', 'device_heartbeat_state'] as const;
      for (const table of tables) {
        const r = await executor.deleteFrom(table).where('device_guid', '=', guid).executeTakeFirst();
        counts[table] = Number(r.numDeletedRows);
      }
      const r = await executor.deleteFrom('devices').where('guid', '=', guid).executeTakeFirst();
      counts.devices = Number(r.numDeletedRows);
      return counts;
    },
  };
}

export type DeviceRepository = ReturnType<typeof createDeviceRepository>;
