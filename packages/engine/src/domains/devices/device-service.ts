// The device registry for operators: the paged, sorted, searchable list cut to the caller's
// sites (api.md "Collections", data-model.md §4), one device, its inventory, search, online agents
// and descriptions. Devices outside the caller's scope do not exist for them (404).

import {
  DEVICE_COUNT_CAP,
  INVENTORY_SECTION_NAMES,
  type AgentMap,
  type Device,
  type DeviceDetails,
  type DeviceInventory,
  type DeviceList,
  type DeviceSearchResult,
  type DeviceSort,
  type DeviceStatus,
} from '@borealis/protocol';
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { loadSiteScope, requireSitePermission, type ScopeUser } from '../../db/site-scope';
import { NotFoundError, ValidationError } from '../../errors';
import { createFilterRepository } from '../filters/filter-repository';
import { isInvalidRegex, savedFilterPredicate } from '../filters/filter-predicate';
import type { DeviceEvents } from './device-events';
import { decodeDeviceCursor, encodeDeviceCursor, searchPredicate, sortPlan, type DeviceListRow } from './device-list-sql';
import { presentDevice, presentListItem, wireGuid } from './device-presenter';
import { createDeviceRepository, displayNamePredicate, guidPredicate, scopePredicate } from './device-repository';

type Predicate = RawBuilder<SqlBool>;

export interface DeviceServiceDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly deviceEvents: DeviceEvents;
}

export interface ListInput {
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly sort: DeviceSort;
  readonly q?: string | undefined;
  readonly site_id?: number | 'none' | undefined;
  readonly status?: readonly DeviceStatus[] | undefined;
  readonly online?: boolean | undefined;
  readonly filter_id?: number | undefined;
  readonly include_retired?: boolean | undefined;
  readonly count?: 'exact' | 'estimate' | undefined;
  readonly hostname?: string | undefined;
}

const notRetired: Predicate = sql<SqlBool>`d.status <> 'decommissioned'`;

/** PostgreSQL refusing a regex of a saved filter is the caller's problem, named by `path`. */
async function regexSafe<T>(path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isInvalidRegex(err)) throw new ValidationError([{ path, message: 'a regular expression in the filter is not valid' }]);
    throw err;
  }
}

export function createDeviceService(deps: DeviceServiceDeps) {
  const { db, clock } = deps;
  const repo = createDeviceRepository();
  const filters = createFilterRepository();

  const listWhere = async (scopeSites: readonly number[] | null, input: ListInput): Promise<Predicate[]> => {
    const where: Predicate[] = [scopePredicate(scopeSites)];
    if (input.status?.length) where.push(sql<SqlBool>`d.status IN (${sql.join([...input.status])})`);
    else if (!input.include_retired) where.push(notRetired);
    if (input.site_id === 'none') where.push(sql<SqlBool>`d.site_id IS NULL`);
    else if (input.site_id !== undefined) where.push(sql<SqlBool>`d.site_id = ${input.site_id}`);
    if (input.online !== undefined) where.push(input.online ? sql<SqlBool>`h.presence_node_id IS NOT NULL` : sql<SqlBool>`h.presence_node_id IS NULL`);
    if (input.q) where.push(searchPredicate(input.q, scopeSites));
    if (input.hostname) where.push(displayNamePredicate(input.hostname));
    if (input.filter_id !== undefined) {
      const filter = await filters.findById(db, input.filter_id);
      if (!filter) throw new ValidationError([{ path: 'filter_id', message: 'no such device filter' }]);
      where.push(await savedFilterPredicate(db, filter, clock.now()));
    }
    return where;
  };

  /** A device in the caller's scope, by GUID or display name; 404 otherwise. */
  const findInScope = async (user: ScopeUser, by: Predicate) => {
    const scope = await loadSiteScope(db, user);
    const row = await repo.findOne(db, [by, scopePredicate(scope.siteIds)]);
    return { scope, row };
  };

  const inventoryOf = async (guid: string) => {
    const [sections, software] = await Promise.all([repo.inventory(db, guid), repo.software(db, guid)]);
    const inventory: Record<string, unknown> = Object.fromEntries(INVENTORY_SECTION_NAMES.map((s) => [s, null]));
    const meta: Record<string, { collected_at: string; updated_at: string }> = {};
    for (const s of sections) {
      meta[s.section] = { collected_at: s.collected_at.toISOString(), updated_at: s.updated_at.toISOString() };
      if (s.section !== 'software' && (INVENTORY_SECTION_NAMES as readonly string[]).includes(s.section)) inventory[s.section] = s.data;
    }
    inventory.software =
      software.length || meta.software
        ? software.map((r) => ({ name: r.name, version: r.version, architecture: r.architecture, source: r.source, installed_at: r.installed_at?.toISOString() ?? null }))
        : null;
    return { inventory: inventory as DeviceInventory, meta };
  };

  return {
    async list(user: ScopeUser, input: ListInput): Promise<DeviceList> {
      const scope = await loadSiteScope(db, user);
      const plan = sortPlan(input.sort);
      const after = input.cursor ? decodeDeviceCursor(plan, input.cursor) : null;
      const where = await listWhere(scope.siteIds, input);
      return regexSafe('filter_id', async () => {
        const withTotal = input.q !== undefined;
        const rows = await repo.listPage(db, { where, plan, after, limit: input.limit, withTotal });
        const page = rows.slice(0, input.limit);
        const last = page.at(-1);
        const next = rows.length > input.limit && last ? encodeDeviceCursor(plan, plan.keys.map((_, i) => last[`c${i}`] ?? null)) : null;
        // A first page that is not full holds every match, and a first search page counted them.
        const known = !after ? (!next ? page.length : withTotal && rows[0]?.total_matches !== undefined ? Number(rows[0].total_matches) : null) : null;
        const estimate = known !== null ? Math.min(known, DEVICE_COUNT_CAP) : await repo.count(db, where, DEVICE_COUNT_CAP);
        const exact = input.count === 'exact' ? (known ?? (estimate < DEVICE_COUNT_CAP ? estimate : await repo.count(db, where, null))) : undefined;
        return {
          devices: page.map((r) => presentListItem(r)),
          next_cursor: next,
          count_estimate: estimate,
          ...(exact !== undefined ? { count: exact } : {}),
        };
      });
    },

    async search(user: ScopeUser, q: string, limit: number): Promise<DeviceSearchResult> {
      const scope = await loadSiteScope(db, user);
      const rows = await repo.listByName(db, [scopePredicate(scope.siteIds), notRetired, searchPredicate(q, scope.siteIds)], limit);
      const sites = await siteDescriptions(
        db,
        rows.map((r) => r.site_id),
      );
      return {
        devices: rows.map((r: DeviceListRow) => ({
          agent_guid: wireGuid(r.guid),
          agent_id: r.agent_id,
          hostname: r.display_name,
          connection_type: 'agent' as const,
          site_id: r.site_id,
          site_name: r.site_name,
          site_description: r.site_id === null ? null : (sites.get(r.site_id) ?? null),
          status: r.status,
          presence: r.online ? ('online' as const) : ('offline' as const),
        })),
        query: q,
        count: rows.length,
      };
    },

    async get(user: ScopeUser, guid: string): Promise<Device> {
      const { row } = await findInScope(user, guidPredicate(guid));
      if (!row) throw new NotFoundError('No such device');
      return presentDevice(row);
    },

    /** The full payload, or `{}` when the name is unknown or out of scope (upstream shape). */
    async details(user: ScopeUser, hostname: string): Promise<DeviceDetails> {
      const { row } = await findInScope(user, displayNamePredicate(hostname));
      if (!row) return {};
      const { inventory, meta } = await inventoryOf(row.guid);
      return { device: presentDevice(row), inventory, inventory_meta: meta };
    },

    async describe(user: ScopeUser, hostname: string, description: string | null): Promise<Device> {
      const { scope, row } = await findInScope(user, displayNamePredicate(hostname));
      if (!row) throw new NotFoundError('No such device');
      requireSitePermission(scope, row.site_id, 'device_edit', 'No such device');
      const text = description?.trim() ? description.trim() : null;
      await repo.setDescription(db, row.guid, text, clock.now());
      deps.deviceEvents.emit('device_changed', { guid: wireGuid(row.guid), site_id: row.site_id, change: 'updated' });
      const updated = await repo.findOne(db, [guidPredicate(row.guid)]);
      if (!updated) throw new NotFoundError('No such device');
      return presentDevice(updated);
    },

    /** Online agents in scope keyed by agent_id (upstream's collector map). */
    async agents(user: ScopeUser): Promise<AgentMap> {
      const scope = await loadSiteScope(db, user);
      const rows = await repo.listByName(db, [scopePredicate(scope.siteIds), notRetired, sql<SqlBool>`h.presence_node_id IS NOT NULL`], 100_000);
      const map: AgentMap = {};
      for (const r of rows) {
        map[r.agent_id] = {
          hostname: r.display_name,
          agent_hostname: r.hostname,
          service_mode: 'system',
          collector_active: true,
          collector_active_ts: r.last_seen_at?.toISOString() ?? null,
          last_seen: r.last_seen_at?.toISOString() ?? null,
          status: 'online',
          agent_id: r.agent_id,
          agent_guid: wireGuid(r.guid),
          agent_version: r.agent_version,
          site_id: r.site_id,
          site_name: r.site_name,
        };
      }
      return map;
    },
  };
}

async function siteDescriptions(db: Kysely<Database>, ids: ReadonlyArray<number | null>): Promise<Map<number, string | null>> {
  const wanted = [...new Set(ids.filter((i): i is number => i !== null))];
  if (!wanted.length) return new Map();
  const rows = await db.selectFrom('sites').select(['id', 'description']).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.id, r.description]));
}

export type DeviceService = ReturnType<typeof createDeviceService>;
