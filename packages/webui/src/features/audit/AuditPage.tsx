// /audit (admins): the security audit trail, filtered through URL search params and paged with the
// engine's cursor ("Load more").
import { Badge, Button, Card, Group, Loader, Stack, Text } from '@mantine/core';
import { IconListSearch, IconRefresh } from '@tabler/icons-react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { isApiError } from '../../shared/api-client';
import { EmptyList, LoadError, TableSkeleton } from '../../shared/ListStates';
import { PageHeader } from '../../shared/PageHeader';
import { retryNetworkOnce } from '../../shared/query-retry';
import { listAuditEvents } from './audit-api';
import { type AuditFilters, filtersFromParams, hasFilters, paramsFromFilters } from './audit-filters';
import { AuditFiltersForm } from './AuditFiltersForm';
import { AuditTable } from './AuditTable';

export function AuditPage() {
  const [params, setParams] = useSearchParams();
  const filters = filtersFromParams(params);
  const filterKey = paramsFromFilters(filters).toString();
  const events = useInfiniteQuery({
    queryKey: ['audit', filterKey],
    queryFn: ({ pageParam, signal }) => listAuditEvents(filters, pageParam, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    retry: retryNetworkOnce,
  });
  const apply = (next: AuditFilters) => setParams(paramsFromFilters(next));
  const isRefused = isApiError(events.error, 'validation_failed');
  const rows = events.data?.pages.flatMap((page) => page.events) ?? [];

  return (
    <Stack gap="lg" maw={1400} data-testid="audit-page">
      <PageHeader
        title="Audit"
        description="Every security-relevant event: sign-ins, changes to users, sites, credentials and Aegis. Newest first."
        actions={
          <Button
            variant="default"
            leftSection={events.isFetching && !events.isFetchingNextPage ? <Loader size={14} /> : <IconRefresh size={16} />}
            onClick={() => void events.refetch()}
            disabled={events.isFetching}
            data-testid="audit-refresh"
          >
            Refresh
          </Button>
        }
      />
      <AuditFiltersForm key={filterKey} filters={filters} onApply={apply} error={isRefused ? events.error : null} />

      {events.isPending ? (
        <TableSkeleton rows={8} testId="audit-loading" />
      ) : events.isError && rows.length === 0 ? (
        <LoadError
          title={isRefused ? 'The engine refused these filters' : 'Could not load the audit trail'}
          error={events.error}
          onRetry={() => void events.refetch()}
          isRetrying={events.isFetching}
          testId="audit-error"
        />
      ) : rows.length === 0 ? (
        <EmptyList
          icon={<IconListSearch size={28} stroke={1.5} />}
          title={hasFilters(filters) ? 'No events match' : 'No events yet'}
          description={hasFilters(filters) ? 'Try a wider time range or fewer filters.' : 'Events appear here as they happen.'}
          testId="audit-empty"
        />
      ) : (
        <>
          <Card withBorder padding={0}>
            <AuditTable events={rows} />
          </Card>
          <Group justify="space-between">
            <Group gap="xs">
              <Text size="sm" c="dimmed" data-testid="audit-count">
                {rows.length} event{rows.length === 1 ? '' : 's'} shown
              </Text>
              {hasFilters(filters) && (
                <Badge variant="light" tt="none" size="sm">
                  filtered
                </Badge>
              )}
            </Group>
            {events.hasNextPage ? (
              <Button
                variant="light"
                onClick={() => void events.fetchNextPage()}
                loading={events.isFetchingNextPage}
                data-testid="audit-load-more"
              >
                Load more
              </Button>
            ) : (
              <Text size="sm" c="dimmed" data-testid="audit-end">
                End of the trail
              </Text>
            )}
          </Group>
          {events.isFetchNextPageError && <LoadError title="Could not load more" error={events.error} onRetry={() => void events.fetchNextPage()} testId="audit-more-error" />}
        </>
      )}
    </Stack>
  );
}
