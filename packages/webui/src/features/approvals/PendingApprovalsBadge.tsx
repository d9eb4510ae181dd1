// The navbar badge on Approvals: how many enrolment requests wait for a decision (nothing when none).
import { Badge } from '@mantine/core';
import { usePendingApprovalCount } from './approvals-queries';

export function PendingApprovalsBadge() {
  const count = usePendingApprovalCount();
  if (!count.data) return null;
  return (
    <Badge size="sm" color="orange" variant="filled" circle={count.data < 10} aria-label={`${count.data} pending`} data-testid="approvals-pending-badge">
      {count.data > 99 ? '99+' : count.data}
    </Badge>
  );
}
