// The one list of WebUI areas: it feeds both the navbar and the routes. Add an area here when it exists.
// Each names the roles that may use it; the others neither see the link nor reach the page.
import type { Me } from '@borealis/protocol';
import { IconBuildingCommunity, IconCalendarTime, IconChecklist, IconDevices, IconFilter, IconKey, IconListSearch, IconFileText, IconPlayerPlay, IconScript, IconServer, IconShieldLock, IconUsers } from '@tabler/icons-react';
import { ApprovalsPage } from './features/approvals/ApprovalsPage';
import { PendingApprovalsBadge } from './features/approvals/PendingApprovalsBadge';
import { AuditPage } from './features/audit/AuditPage';
import { SecurityPage } from './features/aegis/SecurityPage';
import { CredentialsPage } from './features/credentials/CredentialsPage';
import { DevicesArea } from './features/devices/DevicesArea';
import { FiltersArea } from './features/filters/FiltersArea';
import { ServerPage } from './features/server/ServerPage';
import { LogsPage } from './features/server/LogsPage';
import { SitesPage } from './features/sites/SitesPage';
import { UsersPage } from './features/users/UsersPage';
import { QuickJobsArea } from './features/quick-jobs/QuickJobsArea';
import { AssembliesArea } from './features/assemblies/AssembliesArea';
import { ScheduledJobsArea } from './features/scheduled-jobs/ScheduledJobsArea';
import type { Area } from './shared/area';

export interface RoleArea extends Area {
  readonly roles: readonly Me['role'][];
}

const EVERYONE = ['admin', 'operator', 'viewer'] as const;

export const AREAS: readonly RoleArea[] = [
  { path: 'server', label: 'Server', icon: IconServer, element: <ServerPage />, roles: EVERYONE },
  { path: 'sites', label: 'Sites', icon: IconBuildingCommunity, element: <SitesPage />, roles: EVERYONE },
  { path: 'devices', label: 'Devices', icon: IconDevices, element: <DevicesArea />, roles: EVERYONE },
  { path: 'approvals', label: 'Approvals', icon: IconChecklist, element: <ApprovalsPage />, roles: EVERYONE, badge: <PendingApprovalsBadge /> },
  { path: 'filters', label: 'Filters', icon: IconFilter, element: <FiltersArea />, roles: EVERYONE },
  { path: 'assemblies', label: 'Assemblies', icon: IconScript, element: <AssembliesArea />, roles: EVERYONE },
  { path: 'quick-jobs', label: 'Quick jobs', icon: IconPlayerPlay, element: <QuickJobsArea />, roles: EVERYONE },
  { path: 'scheduled-jobs', label: 'Scheduled jobs', icon: IconCalendarTime, element: <ScheduledJobsArea />, roles: EVERYONE },
  { path: 'credentials', label: 'Credentials', icon: IconKey, element: <CredentialsPage />, roles: ['admin', 'operator'] },
  { path: 'users', label: 'Users', icon: IconUsers, element: <UsersPage />, roles: ['admin'] },
  { path: 'security', label: 'Security', icon: IconShieldLock, element: <SecurityPage />, roles: ['admin'] },
  { path: 'audit', label: 'Audit', icon: IconListSearch, element: <AuditPage />, roles: ['admin'] },
  { path: 'logs', label: 'Logs', icon: IconFileText, element: <LogsPage />, roles: ['admin'] },
];

/** The areas `role` may use, in navbar order. */
export function areasFor(role: Me['role']): readonly RoleArea[] {
  return AREAS.filter((area) => area.roles.includes(role));
}
