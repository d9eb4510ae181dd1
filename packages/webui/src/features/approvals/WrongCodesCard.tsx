// Recent wrong enrolment codes (admins): which host tried, from where, how often, with a masked code,
// so a typo in an install script is found before someone suspects an attack.
import { Card, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { formatDateTime } from '../../shared/format-date-time';
import { retryNetworkOnce } from '../../shared/query-retry';
import { listApprovals } from './approvals-api';
import { APPROVALS_KEY, APPROVALS_REFETCH_MS } from './approvals-queries';

const ERRORS: Readonly<Record<string, string>> = {
  invalid_enrollment_code: 'Unknown code',
  enrollment_code_expired: 'Expired code',
  code_consumed: 'Code used up',
};

export function WrongCodesCard() {
  const wrong = useQuery({
    queryKey: [...APPROVALS_KEY, 'wrong-codes'],
    queryFn: ({ signal }) => listApprovals({ status: 'wrong_code', limit: 20 }, { signal, background: true }),
    refetchInterval: APPROVALS_REFETCH_MS,
    retry: retryNetworkOnce,
  });
  const rows = wrong.data?.wrong_codes ?? [];
  return (
    <Card withBorder padding="md" data-testid="wrong-codes">
      <Title order={4} mb="xs">
        Wrong codes
      </Title>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="wrong-codes-empty">
          No agent has tried a wrong enrolment code lately.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={800}>
          <Table verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Host</Table.Th>
                <Table.Th>Code tried</Table.Th>
                <Table.Th>Refusal</Table.Th>
                <Table.Th>From</Table.Th>
                <Table.Th>Attempts</Table.Th>
                <Table.Th>Last attempt</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((w) => (
                <Table.Tr key={w.id} data-testid="wrong-code-row" data-hostname={w.hostname_claimed}>
                  <Table.Td>
                    <Text size="sm">{w.hostname_claimed}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {w.enrollment_code_mask}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{ERRORS[w.last_error] ?? w.last_error}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {w.remote_addr}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{w.attempt_count}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(w.last_seen_at)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
