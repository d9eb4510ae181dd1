// Site scope (security.md §7.1): the sites a signed-in operator reaches, the effective role on each,
// and the SQL filter that cuts lists to them. Admins reach every site and the objects of no site.

import { sql, type Expression, type ExpressionBuilder, type ReferenceExpression, type SqlBool } from 'kysely';
import type { DbExecutor } from '../domains/audit/audit-log';
import { lowerRole, roleHas, type Permission } from '../domains/auth/permissions';
import { ForbiddenError, NotFoundError } from '../errors';
import type { Role, UserSiteAssignmentsTable } from './schema';

/** Who asks: the fields of a session that scoping needs. */
export interface ScopeUser {
  readonly user_id: string;
  readonly role: Role;
}

export interface SiteScope {
  readonly role: Role;
  /** The sites the user reaches, or null for an admin (every site, and objects of no site). */
  readonly siteIds: readonly number[] | null;
  /** The effective role on a site, or null when the site (or no site) is out of scope. */
  roleOn(siteId: number | null): Role | null;
  /** The sites whose effective role holds `permission`; null = unrestricted (admin). */
  siteIdsWith(permission: Permission): readonly number[] | null;
}

type Assignment = Pick<UserSiteAssignmentsTable, 'site_id' | 'role'>;

/** The scope of a user with these assignments (admins need none). */
export function siteScopeOf(role: Role, assignments: readonly Assignment[]): SiteScope {
  if (role === 'admin') {
    return { role, siteIds: null, roleOn: () => 'admin', siteIdsWith: () => null };
  }
  const roles = new Map<number, Role>(assignments.map((a) => [a.site_id, a.role ? lowerRole(role, a.role) : role]));
  const siteIds = Object.freeze([...roles.keys()].sort((a, b) => a - b));
  return {
    role,
    siteIds,
    roleOn: (siteId) => (siteId === null ? null : (roles.get(siteId) ?? null)),
    siteIdsWith: (permission) => siteIds.filter((id) => roleHas(roles.get(id)!, permission)),
  };
}

/** Loads the user's assignments; one query for non-admins, none for admins. */
export async function loadSiteScope(db: DbExecutor, user: ScopeUser): Promise<SiteScope> {
  if (user.role === 'admin') return siteScopeOf('admin', []);
  const rows = await db.selectFrom('user_site_assignments').select(['site_id', 'role']).where('user_id', '=', user.user_id).execute();
  return siteScopeOf(user.role, rows);
}

/**
 * The effective role on an object's site when it holds `permission`. Out of scope → 404 (the
 * object's existence does not leak); in scope without the permission → 403.
 */
export function requireSitePermission(scope: SiteScope, siteId: number | null, permission: Permission, what = 'Not found'): Role {
  const role = scope.roleOn(siteId);
  if (role === null) throw new NotFoundError(what);
  if (!roleHas(role, permission)) throw new ForbiddenError();
  return role;
}

/**
 * A WHERE condition keeping rows whose `column` is one of `siteIds` (rows with NULL never match);
 * null = no restriction. Use as `.where((eb) => inSites(eb, 'site_id', scope.siteIds))`.
 */
export function inSites<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  column: ReferenceExpression<DB, TB> & string,
  siteIds: readonly number[] | null,
): Expression<SqlBool> {
  if (siteIds === null) return eb.lit(true);
  if (siteIds.length === 0) return eb.lit(false);
  return sql<SqlBool>`${sql.ref(column)} in (${sql.join(siteIds)})`;
}
