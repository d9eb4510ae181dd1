// The trust status of a device (active, quarantined, revoked, retired) as a badge; active shows
// nothing in lists, where it is the normal case.
import type { DeviceStatus } from '@borealis/protocol';
import { Badge } from '@mantine/core';

export const STATUS_LABELS: Readonly<Record<DeviceStatus, string>> = {
  active: 'Active',
  quarantined: 'Quarantined',
  revoked: 'Revoked',
  decommissioned: 'Retired',
};

const COLORS: Readonly<Record<DeviceStatus, string>> = { active: 'teal', quarantined: 'orange', revoked: 'red', decommissioned: 'gray' };

export function DeviceStatusBadge({ status, isShownWhenActive = false }: { readonly status: DeviceStatus; readonly isShownWhenActive?: boolean }) {
  if (status === 'active' && !isShownWhenActive) return null;
  return (
    <Badge size="sm" variant="light" tt="none" color={COLORS[status]} data-testid="device-status-badge" data-status={status}>
      {STATUS_LABELS[status]}
    </Badge>
  );
}
