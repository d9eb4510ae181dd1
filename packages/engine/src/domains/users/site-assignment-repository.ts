// Every query on user_site_assignments (security.md §7.1), plus the site-existence check it needs.

import type { SiteAssignment } from '@borealis/protocol';
import type { DbExecutor } from '../audit/audit-log';

export function createSiteAssignmentRepository() {
  return {
    /** Assignments per user id, ordered by site id; users without any map to []. */
    async listFor(db: DbExecutor, userIds: readonly string[]): Promise<Map<string, SiteAssignment[]>> {
      const byUser = new Map<string, SiteAssignment[]>(userIds.map((id) => [id, []]));
      if (userIds.length === 0) return byUser;
      const rows = await db
        .selectFrom('user_site_assignments')
        .select(['user_id', 'site_id', 'role'])
        .where('user_id', 'in', [...userIds])
        .orderBy('user_id')
        .orderBy('site_id')
        .execute();
      for (const r of rows) byUser.get(r.user_id)?.push({ site_id: r.site_id, role: r.role });
      return byUser;
    },

    /** The subset of `siteIds` that names existing sites. */
    async existingSiteIds(db: DbExecutor, siteIds: readonly number[]): Promise<Set<number>> {
      if (siteIds.length === 0) return new Set();
      const rows = await db.selectFrom('sites').select('id').where('id', 'in', [...siteIds]).execute();
      return new Set(rows.map((r) => r.id));
    },

    async remove(db: DbExecutor, userId: string, siteIds: readonly number[]): Promise<void> {
      if (siteIds.length === 0) return;
      await db.deleteFrom('user_site_assignments').where('user_id', '=', userId).where('site_id', 'in', [...siteIds]).execute();
    },

    /** Inserts new assignments and sets the role of existing ones (their assigned_at stays). */
    async upsert(db: DbExecutor, userId: string, assignments: readonly SiteAssignment[], now: Date): Promise<void> {
      if (assignments.length === 0) return;
      await db
        .insertInto('user_site_assignments')
        .values(assignments.map((a) => ({ user_id: userId, site_id: a.site_id, role: a.role, assigned_at: now })))
        .onConflict((oc) => oc.columns(['user_id', 'site_id']).doUpdateSet((eb) => ({ role: eb.ref('excluded.role') })))
        .execute();
    },
  };
}

export type SiteAssignmentRepository = ReturnType<typeof createSiteAssignmentRepository>;
