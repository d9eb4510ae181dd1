// Live preview of an unsaved filter: after the editor has been still for a moment, POST
// /api/device_filters/preview answers how many devices match in the operator's scope, and the first few.
import type { DeviceFilterPreviewRequest } from '@borealis/protocol';
import { Anchor, Card, Group, Loader, ScrollArea, Stack, Table, Text, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { retryNetworkOnce } from '../../shared/query-retry';
import { PresenceDot } from '../devices/PresenceDot';
import { previewFilter } from './filters-api';
import { FILTERS_KEY } from './filters-queries';

const PREVIEW_DEBOUNCE_MS = 400;
const SAMPLE_SIZE = 25;

export interface FilterPreviewProps {
  /** Null while the criteria have problems the engine would refuse anyway. */
  readonly request: Omit<DeviceFilterPreviewRequest, 'limit'> | null;
  readonly problems: readonly string[];
  /** Previewing evaluates criteria on the engine, which needs edit rights (viewers may not). */
  readonly isAllowed: boolean;
}

export function FilterPreview({ request, problems, isAllowed }: FilterPreviewProps) {
  // `request` must be memoised by the caller: a new object restarts the wait.
  const [settled] = useDebouncedValue(request, PREVIEW_DEBOUNCE_MS);
  const body = request ? JSON.stringify(request) : null;
  const settledBody = settled ? JSON.stringify(settled) : null;
  const preview = useQuery({
    queryKey: [...FILTERS_KEY, 'preview', settledBody],
    queryFn: ({ signal }) => previewFilter({ ...(settled ?? { criteria: { groups: [] } }), limit: SAMPLE_SIZE }, { signal }),
    enabled: settled !== null && isAllowed,
    retry: retryNetworkOnce,
    placeholderData: keepPreviousData,
    refetchOnWindowFocus: false,
  });
  const isWaiting = body !== settledBody || preview.isFetching;

  return (
    <Card withBorder padding="lg" data-testid="filter-preview" style={{ position: 'sticky', top: 72 }}>
      <Group justify="space-between" mb="sm">
        <Title order={4}>Matching devices</Title>
        {isAllowed && isWaiting && body !== null && <Loader size="xs" />}
      </Group>
      {!isAllowed ? (
        <Text size="sm" c="dimmed" data-testid="filter-preview-not-allowed">
          Previewing which devices match needs edit rights; ask an operator or admin.
        </Text>
      ) : problems.length > 0 ? (
        <Stack gap={4} data-testid="filter-problems">
          <Text size="sm" c="dimmed">
            Fix these to see which devices match:
          </Text>
          {problems.map((problem) => (
            <Text key={problem} size="sm" c="red">
              {problem}
            </Text>
          ))}
        </Stack>
      ) : preview.isError ? (
        <ApiErrorAlert error={preview.error} testId="filter-preview-error" />
      ) : !preview.data ? (
        <Text size="sm" c="dimmed">
          Counting…
        </Text>
      ) : (
        <Stack gap="sm">
          <Text size="sm">
            <Text span fw={700} size="xl" data-testid="filter-preview-count">
              {preview.data.count}
            </Text>{' '}
            device{preview.data.count === 1 ? '' : 's'} match in your sites
            {preview.data.count > preview.data.devices.length ? `; the first ${preview.data.devices.length} by name:` : '.'}
          </Text>
          {preview.data.devices.length > 0 && (
            <ScrollArea.Autosize mah={520} type="auto">
              <Table verticalSpacing={4} fz="sm" data-testid="filter-preview-table">
                <Table.Tbody>
                  {preview.data.devices.map((device) => (
                    <Table.Tr key={device.guid} data-testid="filter-preview-row">
                      <Table.Td w={20}>
                        <PresenceDot presence={device.presence} size={8} />
                      </Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>
                        <Anchor component={Link} to={`/devices/${device.guid}`} size="sm">
                          {device.hostname}
                        </Anchor>
                      </Table.Td>
                      <Table.Td maw={160}>
                        <Text size="xs" c="dimmed" truncate="end" title={device.operating_system ?? undefined}>
                          {device.site_name ?? 'No site'} · {device.operating_system ?? '—'}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea.Autosize>
          )}
        </Stack>
      )}
    </Card>
  );
}
