// One execution status as a coloured badge, and a job's counts as a row of them.
import type { QuickJobCounts, QuickJobStatus } from '@borealis/protocol';
import { QUICK_JOB_STATUSES, countKeyOf } from '@borealis/protocol';
import { Badge, Group } from '@mantine/core';

const COLORS: Readonly<Record<QuickJobStatus, string>> = {
  Pending: 'gray',
  Running: 'blue',
  Success: 'green',
  Warning: 'yellow',
  Failed: 'red',
  Expired: 'orange',
  'Timed Out': 'orange',
  Skipped: 'gray',
  Cancelled: 'dark',
};

export function QuickJobStatusBadge({ status }: { readonly status: QuickJobStatus }) {
  return (
    <Badge color={COLORS[status]} variant="light" data-testid="quick-job-status">
      {status}
    </Badge>
  );
}

export function QuickJobCountBadges({ counts }: { readonly counts: QuickJobCounts }) {
  return (
    <Group gap={6} data-testid="quick-job-counts">
      {QUICK_JOB_STATUSES.filter((s) => counts[countKeyOf(s)] > 0).map((s) => (
        <Badge key={s} color={COLORS[s]} variant="light" data-testid={`count-${countKeyOf(s)}`}>
          {s} {counts[countKeyOf(s)]}
        </Badge>
      ))}
    </Group>
  );
}
