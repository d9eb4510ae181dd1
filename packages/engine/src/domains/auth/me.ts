// The signed-in user as the API shows it (`GET /api/auth/me`, every sign-in answer).

import type { Me } from '@borealis/protocol';
import type { DbExecutor } from '../audit/audit-log';
import type { UserRepository, UserRow } from '../users/user-repository';

export async function describeMe(db: DbExecutor, users: UserRepository, user: UserRow): Promise<Me> {
  const counts = await users.factorCounts(db, user.id);
  return {
    id: user.id,
    username: user.username,
    display_name: user.display_name,
    role: user.role,
    auth_source: user.auth_source,
    mfa: { totp: user.totp_enabled_at !== null, passkeys: counts.passkeys, recovery_codes_left: counts.recoveryCodesLeft },
    password_change_required: user.password_change_required,
    site_ids: user.role === 'admin' ? [] : await users.siteIds(db, user.id),
  };
}
