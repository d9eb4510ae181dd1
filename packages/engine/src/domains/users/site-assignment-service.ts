// Site assignments of operators (security.md §7.1): replace a user's set, read it for a selection.
// Changes apply from the next request, so no session is revoked (§5.3).

import type { Kysely } from 'kysely';
import type { SiteAssignment, SiteAssignmentSelection, User } from '@borealis/protocol';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { ValidationError } from '../../errors';
import type { Actor, AuditLog } from '../audit/audit-log';
import { describeUsers } from './describe-user';
import { createSiteAssignmentRepository } from './site-assignment-repository';
import { createUserRepository } from './user-repository';
import { userNotFound } from './user-errors';

/** The set to assign, with the body path of each entry for error details. */
export interface AssignmentInput {
  readonly assignments: ReadonlyArray<SiteAssignment & { readonly path: string }>;
}

/** `assignments:[{site_id, role?}]` or upstream's `site_ids:[…]`, as one list with body paths. */
export function assignmentsFromBody(body: { assignments?: Array<{ site_id: number; role?: SiteAssignment['role'] }>; site_ids?: number[] }): AssignmentInput {
  if (body.assignments) {
    return { assignments: body.assignments.map((a, i) => ({ site_id: a.site_id, role: a.role ?? null, path: `assignments.${i}.site_id` })) };
  }
  return { assignments: (body.site_ids ?? []).map((site_id, i) => ({ site_id, role: null, path: `site_ids.${i}` })) };
}

export function createSiteAssignmentService(deps: { db: Kysely<Database>; clock: Clock; audit: AuditLog }) {
  const { db, clock, audit } = deps;
  const users = createUserRepository();
  const assignments = createSiteAssignmentRepository();

  return {
    /** Replaces the user's assignments; answers with the user's new state. */
    async assign(username: string, input: AssignmentInput, actor: Actor): Promise<User> {
      const seen = new Set<number>();
      const duplicates: Array<AssignmentInput['assignments'][number]> = [];
      for (const a of input.assignments) {
        if (seen.has(a.site_id)) duplicates.push(a);
        else seen.add(a.site_id);
      }
      if (duplicates.length) throw new ValidationError(duplicates.map((a) => ({ path: a.path, message: `site ${a.site_id} is listed more than once` })));

      return db.transaction().execute(async (trx) => {
        const target = await users.lockByUsername(trx, username);
        if (!target) throw userNotFound();
        const existing = await assignments.existingSiteIds(trx, [...seen]);
        const unknown = input.assignments.filter((a) => !existing.has(a.site_id));
        if (unknown.length) throw new ValidationError(unknown.map((a) => ({ path: a.path, message: `unknown site id ${a.site_id}` })));

        const before = new Map(((await assignments.listFor(trx, [target.id])).get(target.id) ?? []).map((a) => [a.site_id, a.role]));
        const wanted = input.assignments.map(({ site_id, role }) => ({ site_id, role }));
        const added = wanted.filter((a) => !before.has(a.site_id)).map((a) => a.site_id);
        const changed = wanted.filter((a) => before.has(a.site_id) && before.get(a.site_id) !== a.role).map((a) => a.site_id);
        const removed = [...before.keys()].filter((id) => !seen.has(id));

        if (added.length || changed.length || removed.length) {
          await assignments.remove(trx, target.id, removed);
          await assignments.upsert(
            trx,
            target.id,
            wanted.filter((a) => !before.has(a.site_id) || before.get(a.site_id) !== a.role),
            clock.now(),
          );
          const sorted = (ids: number[]) => ids.sort((a, b) => a - b);
          await audit.record(trx, actor, {
            action: 'user.site_assignments_changed',
            targetType: 'user',
            targetId: target.id,
            details: { username: target.username, added: sorted(added), removed: sorted(removed), changed: sorted(changed) },
          });
        }
        const [user] = await describeUsers(trx, { users, assignments }, [target]);
        return user!;
      });
    },

    /** Assignments of the named users, keyed by username as stored; unknown names are left out. */
    async selection(usernames: readonly string[]): Promise<SiteAssignmentSelection> {
      const found = await users.findByUsernames(db, usernames);
      const byUser = await assignments.listFor(db, found.map((u) => u.id));
      return { assignments: Object.fromEntries(found.map((u) => [u.username, byUser.get(u.id) ?? []])) };
    },
  };
}

export type SiteAssignmentService = ReturnType<typeof createSiteAssignmentService>;
