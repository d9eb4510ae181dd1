// The approval rows: who asks (host, site, short fingerprint, platform, version, address), when, the
// status, the conflict in plain words, and Approve / Deny on pending rows for those who may decide.
import type { DeviceApproval } from '@borealis/protocol';
import { Alert, Badge, Button, Group, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { formatDateTime } from '../../shared/format-date-time';
import { formatRelative } from '../../shared/format-relative';
import { useNow } from '../../shared/use-now';
import { describeConflict } from './conflict-text';

const STATUS_COLORS: Readonly<Record<DeviceApproval['status'], string>> = {
  pending: 'orange',
  approved: 'blue',
  completed: 'teal',
  denied: 'red',
  expired: 'gray',
};

export interface ApprovalTableProps {
  readonly approvals: readonly DeviceApproval[];
  readonly canDecide: boolean;
  readonly onApprove: (approval: DeviceApproval) => void;
  readonly onDeny: (approval: DeviceApproval) => void;
}

export function ApprovalTable({ approvals, canDecide, onApprove, onDeny }: ApprovalTableProps) {
  const now = useNow();
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table verticalSpacing="sm" data-testid="approvals-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Host</Table.Th>
            <Table.Th>Site</Table.Th>
            <Table.Th>Key</Table.Th>
            <Table.Th>Agent</Table.Th>
            <Table.Th>From</Table.Th>
            <Table.Th>Requested</Table.Th>
            <Table.Th>Last poll</Table.Th>
            <Table.Th>Status</Table.Th>
            {canDecide && <Table.Th aria-label="Decision" />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {approvals.map((a) => {
            const conflict = describeConflict(a);
            return (
              <Table.Tr key={a.id} data-testid="approval-row" data-hostname={a.hostname_claimed} data-status={a.status}>
                <Table.Td miw={180} maw={340}>
                  <Stack gap={4}>
                    <Text size="sm" fw={500} data-testid="approval-hostname">
                      {a.hostname_claimed}
                    </Text>
                    {a.fqdn && a.fqdn !== a.hostname_claimed && (
                      <Text size="xs" c="dimmed">
                        {a.fqdn}
                      </Text>
                    )}
                    {conflict && a.status === 'pending' && (
                      <Alert
                        color={a.conflict_kind === 'same_key' ? 'blue' : 'orange'}
                        variant="light"
                        p="xs"
                        icon={<IconAlertTriangle size={16} />}
                        data-testid="approval-conflict"
                        data-conflict={a.conflict_kind}
                      >
                        <Text size="xs">{conflict}</Text>
                      </Alert>
                    )}
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{a.site_name ?? '—'}</Text>
                </Table.Td>
                <Table.Td>
                  <Tooltip label={a.ssl_key_fingerprint_claimed} withArrow multiline maw={320}>
                    <Text size="sm" ff="monospace" data-testid="approval-fingerprint">
                      {a.ssl_key_fingerprint_claimed.slice(0, 12)}…
                    </Text>
                  </Tooltip>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Text size="sm">
                    {a.platform}/{a.arch}
                  </Text>
                  <Text size="xs" c="dimmed">
                    v{a.agent_version}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {a.remote_addr}
                  </Text>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Tooltip label={formatDateTime(a.created_at)}>
                    <Text size="sm">{formatRelative(a.created_at, now)}</Text>
                  </Tooltip>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  {a.last_polled_at ? (
                    <Tooltip label={formatDateTime(a.last_polled_at)}>
                      <Text size="sm">{formatRelative(a.last_polled_at, now)}</Text>
                    </Tooltip>
                  ) : (
                    <Text size="sm" c="dimmed">
                      Never
                    </Text>
                  )}
                </Table.Td>
                <Table.Td miw={110}>
                  <Stack gap={2} align="flex-start">
                    <Badge color={STATUS_COLORS[a.status]} variant="light" style={{ overflow: 'visible' }} data-testid="approval-status">
                      {a.status}
                    </Badge>
                    {a.decided_by && (
                      <Text size="xs" c="dimmed">
                        by {a.decided_by === 'site_auto_approval' ? 'auto-approval' : a.decided_by}
                      </Text>
                    )}
                    {a.deny_reason && (
                      <Text size="xs" c="dimmed" lineClamp={2}>
                        {a.deny_reason}
                      </Text>
                    )}
                  </Stack>
                </Table.Td>
                {canDecide && (
                  <Table.Td>
                    {a.status === 'pending' && (
                      <Group gap="xs" wrap="nowrap">
                        <Button size="xs" onClick={() => onApprove(a)} data-testid="approval-approve">
                          Approve
                        </Button>
                        <Button size="xs" variant="light" color="red" onClick={() => onDeny(a)} data-testid="approval-deny">
                          Deny
                        </Button>
                      </Group>
                    )}
                  </Table.Td>
                )}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
