// Roles and the permission matrix of security.md §7.2. Roles are fixed in code; † permissions
// need a recent second-factor check (step-up, §5.4).

import type { Role } from '../../db/schema';

export const OPERATOR_PERMISSIONS = [
  'self',
  'read',
  'device_edit',
  'enrollment_approve',
  'job_run',
  'job_schedule',
  'assembly_edit',
  'remote_shell',
  'remote_desktop',
  'remote_manage',
  'credential_use',
  'credential_manage',
  'device_contain',
  'watchdog_manage',
  'site_manage',
  'user_manage',
  'aegis_manage',
  'audit_read',
  'server_manage',
] as const;

export const PSEUDO_PERMISSIONS = ['public', 'device', 'device_refresh', 'internal'] as const;

export type OperatorPermission = (typeof OPERATOR_PERMISSIONS)[number];
export type Permission = OperatorPermission | (typeof PSEUDO_PERMISSIONS)[number];

const ADMIN_ONLY: ReadonlySet<OperatorPermission> = new Set([
  'credential_manage',
  'device_contain',
  'site_manage',
  'user_manage',
  'aegis_manage',
  'audit_read',
  'server_manage',
]);

const VIEWER: ReadonlySet<OperatorPermission> = new Set(['self', 'read']);

export const SENSITIVE_PERMISSIONS: ReadonlySet<Permission> = new Set(['credential_manage', 'user_manage', 'aegis_manage']);

export function isAdminOnly(permission: OperatorPermission): boolean {
  return ADMIN_ONLY.has(permission);
}

export function roleHas(role: Role, permission: Permission): boolean {
  if (!(OPERATOR_PERMISSIONS as readonly string[]).includes(permission)) return false;
  const p = permission as OperatorPermission;
  if (role === 'admin') return true;
  if (role === 'operator') return !ADMIN_ONLY.has(p);
  return VIEWER.has(p);
}

export function permissionsOf(role: Role): OperatorPermission[] {
  return OPERATOR_PERMISSIONS.filter((p) => roleHas(role, p));
}

/** The lower of two roles (site assignments can only narrow, §7.1). */
export function lowerRole(a: Role, b: Role): Role {
  const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
  return rank[a] <= rank[b] ? a : b;
}
