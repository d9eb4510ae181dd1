// Sites: create, rename, delete, auto-approval and enrolment-code rotation (data-model.md (a),
// agent-protocol.md §2.1), with the scope and enrolment-code visibility rules of security.md §7.

import type { AssignSiteDevicesResult, Site, SiteDeviceMap, SiteList } from '@borealis/protocol';
import type { Kysely, Updateable } from 'kysely';
import type { Clock } from '../../clock';
import type { Database, SitesTable } from '../../db/schema';
import { loadSiteScope, type ScopeUser } from '../../db/site-scope';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import type { HostSecret } from '../../secrets/host-secret';
import type { AegisService } from '../aegis/aegis-service';
import type { Actor, AuditLog, DbExecutor } from '../audit/audit-log';
import { roleHas } from '../auth/permissions';
import { enrollmentCodeHash, generateEnrollmentCode, normaliseEnrollmentCode } from './enrollment-code';
import { createSiteRepository, isUniqueViolation, type SiteRow } from './site-repository';

export interface SiteServiceDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly aegis: Pick<AegisService, 'encrypt' | 'decrypt'>;
  readonly audit: AuditLog;
  readonly hostSecret: HostSecret;
  readonly publicUrl: string | undefined;
  /** Told after commit when a device changes site (the devices domain forwards it to its event bus). */
  readonly onDeviceMoved?: (move: { guid: string; from: number | null; to: number }) => void;
}

const codeAd = (id: number) => ({ table: 'sites', column: 'enrollment_code_enc', rowId: id });

export function createSiteService(deps: SiteServiceDeps) {
  const { db, clock, aegis, audit, hostSecret } = deps;
  const repo = createSiteRepository();

  const present = (row: SiteRow, code: string | null, deviceCount = 0): Site => ({
    id: row.id,
    name: row.name,
    description: row.description,
    created_at: row.created_at.toISOString(),
    device_count: deviceCount,
    enrollment_code: code,
    enrollment_code_expires_at: row.enrollment_code_expires_at?.toISOString() ?? null,
    enrollment_code_max_uses: row.enrollment_code_max_uses,
    enrollment_code_uses: row.enrollment_code_uses,
    auto_approve_until: row.auto_approve_until?.toISOString() ?? null,
    auto_approval_active: row.auto_approve_until !== null && row.auto_approve_until.getTime() > clock.now().getTime(),
    version: row.version,
  });

  /** A new code: its lookup hash now, its envelope once the row id is known. */
  const newCode = () => {
    const code = generateEnrollmentCode();
    return { code, hash: enrollmentCodeHash(hostSecret, normaliseEnrollmentCode(code)!) };
  };

  const withNameConflicts = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`A site named "${name}" already exists`);
      throw err;
    }
  };

  const existing = async (trx: DbExecutor, id: number): Promise<SiteRow> => {
    const row = await repo.findById(trx, id);
    if (!row) throw new NotFoundError('No such site');
    return row;
  };

  /** Applies changes and bumps the version; a site deleted meanwhile → 404. */
  const updated = async (trx: DbExecutor, id: number, changes: Updateable<SitesTable>): Promise<SiteRow> => {
    const row = await repo.update(trx, id, changes);
    if (!row) throw new NotFoundError('No such site');
    return row;
  };

  /** The display code, for callers that hold `enrollment_approve` on every site (site_manage). */
  const codeOf = async (row: SiteRow, actor: Actor): Promise<string | null> =>
    row.enrollment_code_enc === null ? null : aegis.decrypt(codeAd(row.id), row.enrollment_code_enc, actor);

  const futureOrNull = (value: string | null | undefined, path: string): Date | null => {
    if (value === null || value === undefined) return null;
    const at = new Date(value);
    if (at.getTime() <= clock.now().getTime()) throw new ValidationError([{ path, message: 'must be in the future' }]);
    return at;
  };

  return {
    /** The caller's sites; the code only where their effective role holds `enrollment_approve`. */
    async list(user: ScopeUser, actor: Actor): Promise<SiteList> {
      const scope = await loadSiteScope(db, user);
      const rows = await repo.list(db, scope.siteIds);
      const counts = await repo.deviceCounts(db, scope.siteIds);
      const sites: Site[] = [];
      for (const row of rows) {
        const role = scope.roleOn(row.id);
        const visible = role !== null && roleHas(role, 'enrollment_approve');
        sites.push(present(row, visible ? await codeOf(row, actor) : null, counts.get(row.id) ?? 0));
      }
      const base = deps.publicUrl ?? null;
      return { sites, public_base_url: base, public_hostname: base ? new URL(base).hostname : null };
    },

    async create(input: { name: string; description?: string | null }, actor: Actor): Promise<Site> {
      const name = input.name;
      const { code, hash } = newCode();
      const row = await withNameConflicts(name, () =>
        db.transaction().execute(async (trx) => {
          if (await repo.nameTaken(trx, name)) throw new ConflictError(`A site named "${name}" already exists`);
          const now = clock.now();
          const id = await repo.insert(trx, {
            name,
            description: input.description || null,
            enrollment_code_hash: hash,
            enrollment_code_rotated_at: now,
            created_at: now,
            updated_at: now,
          });
          await repo.setEnrollmentCodeEnc(trx, id, aegis.encrypt(codeAd(id), code));
          await audit.record(trx, actor, { action: 'site.created', targetType: 'site', targetId: id, siteId: id, details: { name } });
          return existing(trx, id);
        }),
      );
      return present(row, code);
    },

    async rename(id: number, newName: string, actor: Actor): Promise<Site> {
      const row = await withNameConflicts(newName, () =>
        db.transaction().execute(async (trx) => {
          const before = await existing(trx, id);
          if (await repo.nameTaken(trx, newName, id)) throw new ConflictError(`A site named "${newName}" already exists`);
          const after = await updated(trx, id, { name: newName, updated_at: clock.now() });
          await audit.record(trx, actor, { action: 'site.renamed', targetType: 'site', targetId: id, siteId: id, details: { from: before.name, to: newName } });
          return after;
        }),
      );
      return present(row, await codeOf(row, actor));
    },

    /** Deletes the sites that exist among `ids`; devices fall back to no site, assignments go. */
    async deleteMany(ids: readonly number[], actor: Actor): Promise<{ deleted_ids: number[] }> {
      const unique = [...new Set(ids)];
      return db.transaction().execute(async (trx) => {
        const found = await repo.findByIds(trx, unique);
        const deleted = await repo.deleteByIds(
          trx,
          found.map((s) => s.id),
        );
        for (const site of found) {
          await audit.record(trx, actor, { action: 'site.deleted', targetType: 'site', targetId: site.id, siteId: site.id, details: { name: site.name } });
        }
        return { deleted_ids: deleted.sort((a, b) => a - b) };
      });
    },

    async setAutoApproval(id: number, until: string | null, actor: Actor): Promise<Site> {
      const at = until === null ? null : new Date(until);
      const row = await db.transaction().execute(async (trx) => {
        const after = await updated(trx, id, { auto_approve_until: at, updated_at: clock.now() });
        await audit.record(trx, actor, {
          action: 'site.auto_approval_changed',
          targetType: 'site',
          targetId: id,
          siteId: id,
          details: { auto_approve_until: at?.toISOString() ?? null },
        });
        return after;
      });
      return present(row, await codeOf(row, actor));
    },

    /** Replaces the code in one UPDATE: the old one stops working at once; pending requests stay. */
    async rotateEnrollmentCode(id: number, input: { expires_at?: string | null; max_uses?: number | null }, actor: Actor): Promise<Site> {
      const expiresAt = futureOrNull(input.expires_at, 'expires_at');
      const { code, hash } = newCode();
      const row = await db.transaction().execute(async (trx) => {
        const now = clock.now();
        const after = await updated(trx, id, {
          enrollment_code_hash: hash,
          enrollment_code_enc: aegis.encrypt(codeAd(id), code),
          enrollment_code_expires_at: expiresAt,
          enrollment_code_max_uses: input.max_uses ?? null,
          enrollment_code_uses: 0,
          enrollment_code_rotated_at: now,
          updated_at: now,
        });
        await audit.record(trx, actor, {
          action: 'site.enrollment_code_rotated',
          targetType: 'site',
          targetId: id,
          siteId: id,
          details: { expires_at: expiresAt?.toISOString() ?? null, max_uses: input.max_uses ?? null },
        });
        return after;
      });
      return present(row, code);
    },

    /** Hostname → site for the devices in the caller's scope that belong to a site. */
    async deviceMap(user: ScopeUser): Promise<SiteDeviceMap> {
      const scope = await loadSiteScope(db, user);
      const rows = await repo.deviceMap(db, scope.siteIds);
      return { map: Object.fromEntries(rows.map((r) => [r.display_name, { site_id: r.site_id!, site_name: r.site_name }])) };
    },

    /**
     * Moves devices, named by hostname (display name, any case), into a site in one transaction;
     * names that match no device come back in `unknown`.
     */
    async assignDevices(siteId: number, hostnames: readonly string[], actor: Actor): Promise<AssignSiteDevicesResult> {
      const unique = [...new Set(hostnames)];
      const { moved, site } = await db.transaction().execute(async (trx) => {
        const site = await existing(trx, siteId);
        const moved = await repo.assignDevices(trx, siteId, unique, clock.now());
        if (moved.length) {
          await audit.record(trx, actor, {
            action: 'site.devices_assigned',
            targetType: 'site',
            targetId: siteId,
            siteId,
            details: { hostnames: moved.map((d) => d.display_name).slice(0, 100), count: moved.length },
          });
        }
        return { moved, site };
      });
      for (const d of moved) deps.onDeviceMoved?.({ guid: d.guid.toUpperCase(), from: d.site_id, to: site.id });
      const matched = new Set(moved.map((d) => d.display_name.toLowerCase()));
      return { assigned: moved.length, unknown: unique.filter((h) => !matched.has(h.toLowerCase())) };
    },
  };
}

export type SiteService = ReturnType<typeof createSiteService>;
