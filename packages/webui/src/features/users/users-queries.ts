// The user list (GET /api/users is sensitive, so a stale second factor opens the step-up dialog),
// and the role labels every users screen shares.
import type { Me } from '@borealis/protocol';
import { useQuery } from '@tanstack/react-query';
import { retryNetworkOnce } from '../../shared/query-retry';
import { useStepUp } from '../auth/step-up';
import { listUsers } from './users-api';

export const USERS_KEY = ['users'] as const;

export type Role = Me['role'];

export const ROLES: readonly Role[] = ['admin', 'operator', 'viewer'];

export const ROLE_LABELS: Readonly<Record<Role, string>> = { admin: 'Admin', operator: 'Operator', viewer: 'Viewer' };
export const ROLE_COLORS: Readonly<Record<Role, string>> = { admin: 'grape', operator: 'blue', viewer: 'gray' };

export const ROLE_DESCRIPTIONS: Readonly<Record<Role, string>> = {
  admin: 'Every site and every permission, including users, Aegis and the audit trail.',
  operator: 'Runs jobs, approves enrolments and uses credentials on their sites.',
  viewer: 'Reads the sites assigned to them; changes nothing.',
};

/** Roles strictly below `role`, the ones a site assignment may narrow it to. */
export function rolesBelow(role: Role): Role[] {
  return ROLES.slice(ROLES.indexOf(role) + 1);
}

export function useUsers() {
  const stepUp = useStepUp();
  return useQuery({
    queryKey: USERS_KEY,
    queryFn: ({ signal }) => stepUp(() => listUsers({ signal })),
    retry: retryNetworkOnce,
    // Coming back to the tab must not pop up a second-factor check on its own; actions refresh the list.
    refetchOnWindowFocus: false,
  });
}

/** The role a select's value names, if it names one. */
export function toRole(value: string | null): Role | undefined {
  return ROLES.find((role) => role === value);
}
