// /approvals: the enrolment queue. Pending requests first (the default filter), any status on demand,
// decisions confirmed in a dialog; admins also see recent wrong codes. Refreshed every 5 s.
import type { DeviceApproval } from '@borealis/protocol';
import { Button, Card, SegmentedControl, Stack } from '@mantine/core';
import { IconDeviceDesktopPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { EmptyList, QueryStates } from '../../shared/ListStates';
import { PageHeader } from '../../shared/PageHeader';
import { useCurrentUser } from '../auth/current-user';
import { ApprovalTable } from './ApprovalTable';
import { useApprovals } from './approvals-queries';
import { ApproveDialog, DenyDialog } from './DecisionDialogs';
import { WrongCodesCard } from './WrongCodesCard';

const FILTERS = [
  { value: 'pending', label: 'Pending' },
  { value: 'approved', label: 'Approved' },
  { value: 'completed', label: 'Enrolled' },
  { value: 'denied', label: 'Denied' },
  { value: 'expired', label: 'Expired' },
  { value: 'all', label: 'All' },
] as const;
type Filter = (typeof FILTERS)[number]['value'];

const EMPTY: Readonly<Record<Filter, string>> = {
  pending: 'No device is waiting. Agents installed with a site’s enrolment code appear here until you decide.',
  approved: 'No approved request is waiting for its agent’s next poll.',
  completed: 'No enrolment has completed yet.',
  denied: 'No request was denied.',
  expired: 'No request has expired.',
  all: 'No agent has asked to enrol yet. Copy a site’s install command from the Sites page to add one.',
};

export function ApprovalsPage() {
  const me = useCurrentUser();
  const canDecide = me.role !== 'viewer';
  const [filter, setFilter] = useState<Filter>('pending');
  const approvals = useApprovals(filter === 'all' ? undefined : filter);
  const [toApprove, setToApprove] = useState<DeviceApproval | null>(null);
  const [toDeny, setToDeny] = useState<DeviceApproval | null>(null);
  const rows = approvals.data?.pages.flatMap((p) => p.approvals) ?? [];

  return (
    <Stack gap="lg" maw={1400} data-testid="approvals-page">
      <PageHeader
        title="Approvals"
        description={
          canDecide
            ? 'Agents that asked to enrol. Approve the ones you expect; a clash with an existing device is explained on its row.'
            : 'Agents that asked to enrol in your sites. Operators and admins decide.'
        }
      />
      <SegmentedControl
        value={filter}
        onChange={(v) => setFilter(v as Filter)}
        data={FILTERS.map((f) => ({ value: f.value, label: f.label }))}
        w="fit-content"
        data-testid="approvals-filter"
      />
      <QueryStates
        query={approvals}
        testId="approvals"
        errorTitle="Could not load the approval queue"
        isEmpty={() => rows.length === 0}
        empty={
          <EmptyList icon={<IconDeviceDesktopPlus size={28} stroke={1.5} />} title="Nothing here" description={EMPTY[filter]} testId="approvals-empty" />
        }
      >
        {() => (
          <Card withBorder padding={0}>
            <ApprovalTable approvals={rows} canDecide={canDecide} onApprove={setToApprove} onDeny={setToDeny} />
            {approvals.hasNextPage && (
              <Button variant="subtle" m="sm" onClick={() => void approvals.fetchNextPage()} loading={approvals.isFetchingNextPage} data-testid="approvals-more">
                Load more
              </Button>
            )}
          </Card>
        )}
      </QueryStates>
      {me.role === 'admin' && <WrongCodesCard />}
      <ApproveDialog approval={toApprove} onClose={() => setToApprove(null)} />
      <DenyDialog approval={toDeny} onClose={() => setToDeny(null)} />
    </Stack>
  );
}
