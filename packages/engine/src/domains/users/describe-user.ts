// A user as the admin routes show it (security.md §4.1): state and counts, never a hash or seed.

import type { SiteAssignment, User } from '@borealis/protocol';
import type { DbExecutor } from '../audit/audit-log';
import type { SiteAssignmentRepository } from './site-assignment-repository';
import type { UserRepository, UserRow } from './user-repository';

export function toUser(row: UserRow, counts: { recoveryCodesLeft: number; passkeys: number }, assignments: readonly SiteAssignment[]): User {
  return {
    id: row.id,
    username: row.username,
    display_name: row.display_name,
    role: row.role,
    auth_source: row.auth_source,
    mfa: { totp: row.totp_enabled_at !== null, passkeys: counts.passkeys, recovery_codes_left: counts.recoveryCodesLeft, exempt: row.mfa_exempt },
    auth_reset_required: row.auth_reset_required,
    password_change_required: row.password_change_required,
    last_login_at: row.last_login_at ? row.last_login_at.toISOString() : null,
    disabled: row.disabled_at !== null,
    site_assignments: [...assignments],
  };
}

/** Describes many rows with one query per related table. */
export async function describeUsers(
  db: DbExecutor,
  repos: { users: UserRepository; assignments: SiteAssignmentRepository },
  rows: readonly UserRow[],
): Promise<User[]> {
  const ids = rows.map((r) => r.id);
  const counts = await repos.users.factorCountsFor(db, ids);
  const assignments = await repos.assignments.listFor(db, ids);
  return rows.map((r) => toUser(r, counts.get(r.id) ?? { recoveryCodesLeft: 0, passkeys: 0 }, assignments.get(r.id) ?? []));
}
