// Saved device filters (automation.md §7): create, replace with If-Match, clone, archive, delete
// (refused while in use), search, preview within the caller's scope, and what the editor offers.
// Definitions are global; what they resolve to is cut to the caller's sites (security.md §7.1).

import {
  DEVICE_PAGE_MAX,
  FilterCriteriaSchema,
  type DeviceFilter,
  type DeviceFilterPreview,
  type DeviceFilterUsage,
  type FilterCriteria,
  type FilterSiteMode,
} from '@borealis/protocol';
import { sql, type Kysely, type SqlBool } from 'kysely';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { loadSiteScope, type ScopeUser } from '../../db/site-scope';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../errors';
import type { DbExecutor } from '../audit/audit-log';
import { presentListItem } from '../devices/device-presenter';
import { createDeviceRepository, scopePredicate } from '../devices/device-repository';
import { checkCriteria } from './criteria';
import { filterPredicate, isInvalidRegex } from './filter-predicate';
import { createFilterRepository, type FilterRow } from './filter-repository';

/** Scheduled jobs (and later watchdogs) that target a filter; none exist yet. */
export type FilterUsageLookup = (executor: DbExecutor, filterId: number) => Promise<DeviceFilterUsage['scheduled_jobs']>;

export interface FilterServiceDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly usage?: FilterUsageLookup;
}

export interface FilterInput {
  readonly name: string;
  readonly description?: string | null | undefined;
  readonly site_mode: FilterSiteMode;
  readonly site_ids: readonly number[];
  readonly criteria: FilterCriteria;
}

interface Editor {
  readonly userId: string;
  readonly username: string;
}

const noUsage: FilterUsageLookup = () => Promise.resolve([]);

/** `If-Match: 3`, `"3"` or `W/"3"`; the body's `version` when the header is absent. */
export function parseIfMatch(header: string | undefined, bodyVersion: number | undefined): number {
  if (header !== undefined) {
    const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
    if (!m) throw new ValidationError([{ path: 'headers.if-match', message: 'must be the version you edited, such as 3' }]);
    return Number(m[1]);
  }
  if (bodyVersion !== undefined) return bodyVersion;
  throw new ValidationError([{ path: 'headers.if-match', message: 'send If-Match with the version you edited' }]);
}

export function createFilterService(deps: FilterServiceDeps) {
  const { db, clock } = deps;
  const repo = createFilterRepository();
  const devices = createDeviceRepository();
  const usageOf = deps.usage ?? noUsage;

  const present = (row: FilterRow): DeviceFilter => {
    const parsed = FilterCriteriaSchema.safeParse(row.criteria);
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      archived: row.archived,
      site_mode: row.site_mode,
      site_ids: row.site_ids,
      criteria: parsed.success ? parsed.data : { groups: [] },
      created_by_user_id: row.created_by_user_id,
      last_edited_by: row.last_edited_by,
      version: row.version,
      created_at: row.created_at.toISOString(),
      updated_at: row.updated_at.toISOString(),
    };
  };

  const existing = async (executor: DbExecutor, id: number): Promise<FilterRow> => {
    const row = await repo.findById(executor, id);
    if (!row) throw new NotFoundError('No such device filter');
    return row;
  };

  /** Sites must exist and, for non-admins, be theirs; global filters keep none. */
  const checkSites = async (user: ScopeUser, mode: FilterSiteMode, siteIds: readonly number[]): Promise<number[]> => {
    if (mode === 'global') return [];
    const unique = [...new Set(siteIds)].sort((a, b) => a - b);
    if (mode === 'specific_sites' && unique.length === 0) throw new ValidationError([{ path: 'site_ids', message: 'pick at least one site for specific_sites' }]);
    const scope = await loadSiteScope(db, user);
    const found = unique.length ? await db.selectFrom('sites').select('id').where('id', 'in', unique).execute() : [];
    const known = new Set(found.map((s) => s.id));
    const unknown = unique.filter((id) => !known.has(id) || (scope.siteIds !== null && !scope.siteIds.includes(id)));
    if (unknown.length) throw new ValidationError([{ path: 'site_ids', message: `unknown sites: ${unknown.join(', ')}` }]);
    return unique;
  };

  const named = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505') throw new ConflictError(`A filter named "${name}" already exists`);
      throw err;
    }
  };

  const notInUse = async (executor: DbExecutor, id: number, verb: string) => {
    const jobs = await usageOf(executor, id);
    if (jobs.length) throw new AppError('filter_in_use', `The filter is used by ${jobs.length} scheduled job(s) (${jobs.map((j) => j.name).join(', ')}); remove it there before you ${verb} it`);
  };

  return {
    async list(archived: boolean | null): Promise<{ filters: DeviceFilter[] }> {
      return { filters: (await repo.list(db, { archived })).map(present) };
    },

    async search(q: string, includeArchived: boolean): Promise<{ filters: DeviceFilter[] }> {
      return { filters: (await repo.list(db, { archived: includeArchived ? null : false, q, limit: 100 })).map(present) };
    },

    async get(id: number): Promise<DeviceFilter> {
      return present(await existing(db, id));
    },

    async create(user: ScopeUser & Editor, input: FilterInput): Promise<DeviceFilter> {
      checkCriteria(input.criteria);
      const siteIds = await checkSites(user, input.site_mode, input.site_ids);
      return named(input.name, () =>
        db.transaction().execute(async (trx) => {
          if (await repo.nameTaken(trx, input.name)) throw new ConflictError(`A filter named "${input.name}" already exists`);
          const id = await repo.insert(trx, {
            name: input.name,
            description: input.description || null,
            site_mode: input.site_mode,
            criteria: input.criteria,
            siteIds,
            createdBy: user.userId,
            editedBy: user.username,
            now: clock.now(),
          });
          return present(await existing(trx, id));
        }),
      );
    },

    async update(user: ScopeUser & Editor, id: number, version: number, input: FilterInput): Promise<DeviceFilter> {
      checkCriteria(input.criteria);
      const siteIds = await checkSites(user, input.site_mode, input.site_ids);
      return named(input.name, () =>
        db.transaction().execute(async (trx) => {
          const before = await existing(trx, id);
          if (await repo.nameTaken(trx, input.name, id)) throw new ConflictError(`A filter named "${input.name}" already exists`);
          const done = await repo.update(trx, id, version, {
            name: input.name,
            description: input.description || null,
            site_mode: input.site_mode,
            criteria: input.criteria,
            siteIds,
            editedBy: user.username,
            now: clock.now(),
          });
          if (!done) throw new ConflictError(`The filter changed since version ${version} (now ${before.version}); reload it and edit again`, 'version_conflict');
          return present(await existing(trx, id));
        }),
      );
    },

    async clone(user: Editor, id: number, name: string | undefined): Promise<DeviceFilter> {
      return db.transaction().execute(async (trx) => {
        const source = await existing(trx, id);
        let copy = name ?? `${source.name} (copy)`;
        if (name === undefined) for (let n = 2; await repo.nameTaken(trx, copy); n += 1) copy = `${source.name} (copy ${n})`;
        else if (await repo.nameTaken(trx, copy)) throw new ConflictError(`A filter named "${copy}" already exists`);
        const newId = await repo.insert(trx, {
          name: copy,
          description: source.description,
          site_mode: source.site_mode,
          criteria: source.criteria,
          siteIds: source.site_ids,
          createdBy: user.userId,
          editedBy: user.username,
          now: clock.now(),
        });
        return present(await existing(trx, newId));
      });
    },

    async setArchived(user: Editor, id: number, archived: boolean): Promise<DeviceFilter> {
      return db.transaction().execute(async (trx) => {
        await existing(trx, id);
        if (archived) await notInUse(trx, id, 'archive');
        await repo.setArchived(trx, id, archived, user.username, clock.now());
        return present(await existing(trx, id));
      });
    },

    async delete(id: number): Promise<{ id: number; deleted: true }> {
      return db.transaction().execute(async (trx) => {
        await existing(trx, id);
        await notInUse(trx, id, 'delete');
        await repo.delete(trx, id);
        return { id, deleted: true as const };
      });
    },

    async usage(id: number): Promise<DeviceFilterUsage> {
      await existing(db, id);
      return { filter_id: id, scheduled_jobs: await usageOf(db, id) };
    },

    /** Evaluates an unsaved filter: the total in the caller's scope and the first devices by name. */
    async preview(user: ScopeUser, input: { site_mode: FilterSiteMode; site_ids: readonly number[]; criteria: FilterCriteria; limit: number }): Promise<DeviceFilterPreview> {
      const groups = checkCriteria(input.criteria);
      const scope = await loadSiteScope(db, user);
      const predicate = await filterPredicate(db, { siteMode: input.site_mode, siteIds: input.site_ids, groups }, clock.now());
      const where = [scopePredicate(scope.siteIds), sql<SqlBool>`d.status <> 'decommissioned'`, predicate];
      try {
        const rows = await devices.listByName(db, where, Math.min(input.limit, DEVICE_PAGE_MAX));
        const count = rows.length < input.limit ? rows.length : await devices.count(db, where, null);
        return { count, devices: rows.map(presentListItem) };
      } catch (err) {
        if (isInvalidRegex(err)) throw new ValidationError([{ path: 'criteria', message: 'a regular expression is not valid' }]);
        throw err;
      }
    },
  };
}

export type FilterService = ReturnType<typeof createFilterService>;
