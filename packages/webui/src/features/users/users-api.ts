// Calls to the engine's user administration routes (security.md §4.1, §7.1). Every one of them is
// sensitive (†): callers run them through useStepUp().
import {
  type CreateUserRequest,
  type MfaAction,
  type RoleInput,
  SessionsRevokedSchema,
  type SiteAssignment,
  UserListSchema,
  UserSchema,
} from '@borealis/protocol';
import { getJson, NO_CONTENT, type RequestOptions, sendJson } from '../../shared/api-client';

const userPath = (username: string) => `/api/users/${encodeURIComponent(username)}`;

export const listUsers = (options?: RequestOptions) => getJson('/api/users', UserListSchema, options);

export const createUser = (body: CreateUserRequest) => sendJson('POST', '/api/users', body, UserSchema);

export const deleteUser = (username: string) => sendJson('DELETE', userPath(username), undefined, NO_CONTENT);

export const resetPassword = (username: string, body: { password: string; reset_mfa: boolean }) =>
  sendJson('POST', `${userPath(username)}/reset_password`, body, UserSchema);

export const changeRole = (username: string, role: RoleInput) =>
  sendJson('POST', `${userPath(username)}/role`, { role }, UserSchema);

export const changeMfa = (username: string, action: MfaAction) =>
  sendJson('POST', `${userPath(username)}/mfa`, { action }, UserSchema);

export const revokeUserSessions = (username: string) =>
  sendJson('POST', `${userPath(username)}/sessions/revoke`, {}, SessionsRevokedSchema);

/** Replaces the user's whole set of site assignments. */
export const assignSites = (username: string, assignments: readonly SiteAssignment[]) =>
  sendJson('POST', '/api/user_site_assignments/assign', { username, assignments }, UserSchema);
