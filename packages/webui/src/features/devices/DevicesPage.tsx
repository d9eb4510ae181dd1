// /devices: every enrolled device in the operator's sites, paged by the engine's cursor as the list
// scrolls, sorted and searched on the server, with presence kept live over the realtime connection.
import type { DeviceListItem } from '@borealis/protocol';
import { Alert, Badge, Button, Card, Group, Loader, Stack, Text } from '@mantine/core';
import { IconCircleCheck, IconDevices, IconRefresh } from '@tabler/icons-react';
import { useCallback, useMemo, useState } from 'react';
import { useNow } from '../../shared/use-now';
import { Link, useSearchParams } from 'react-router';
import { isApiError } from '../../shared/api-client';
import { EmptyList, LoadError, TableSkeleton } from '../../shared/ListStates';
import { PageHeader } from '../../shared/PageHeader';
import { useRealtimeStatus } from '../../shared/use-realtime';
import { useCurrentUser } from '../auth/current-user';
import { QuickJobLauncher } from '../quick-jobs/QuickJobLauncher';
import { DeviceActionDialog, type DeviceActionTarget } from './DeviceActionDialog';
import type { RowAction } from './DeviceRowMenu';
import { type DeviceListQuery, hasNarrowing, paramsFromQuery, queryFromParams, type SortColumn, toggleSort } from './device-list-query';
import { useDeviceList } from './devices-queries';
import { DeviceTable } from './DeviceTable';
import { DeviceToolbar } from './DeviceToolbar';

export function DevicesPage() {
  const me = useCurrentUser();
  const canManage = me.role === 'admin';
  const [params, setParams] = useSearchParams();
  const query = queryFromParams(params);
  const devices = useDeviceList(query);
  const realtime = useRealtimeStatus();
  const now = useNow();
  const [target, setTarget] = useState<DeviceActionTarget | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [runOn, setRunOn] = useState<DeviceListItem | null>(null);

  const apply = (next: DeviceListQuery) => setParams(paramsFromQuery(next), { replace: true });
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = devices;
  const needMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  // Only when a page arrives or presence changes: at 50,000 rows the flattening is not free.
  // Stable, so the memoised rows do not re-render for it.
  const openAction = useCallback((action: RowAction, device: DeviceListItem) => {
    setNotice(null);
    setTarget({ action, device });
  }, []);
  const rows = useMemo(() => devices.data?.pages.flatMap((page) => page.devices) ?? [], [devices.data]);
  const first = devices.data?.pages[0];
  const isRefused = isApiError(devices.error, 'validation_failed', 'not_found');

  return (
    <Stack gap="md" data-testid="devices-page">
      <PageHeader
        title="Devices"
        description="Every enrolled device in your sites. Presence updates live; open a device for its inventory."
        actions={
          <>
            <Badge
              variant="dot"
              color={realtime === 'connected' ? 'teal' : 'gray'}
              tt="none"
              size="lg"
              data-testid="devices-live"
              data-status={realtime}
              title={realtime === 'connected' ? 'Presence updates arrive as they happen' : 'Reconnecting: presence may lag until then'}
            >
              {realtime === 'connected' ? 'Live' : 'Not live'}
            </Badge>
            <Button
              variant="default"
              leftSection={devices.isFetching && !devices.isFetchingNextPage ? <Loader size={14} /> : <IconRefresh size={16} />}
              onClick={() => void devices.refetch()}
              disabled={devices.isFetching}
              data-testid="devices-refresh"
            >
              Refresh
            </Button>
          </>
        }
      />
      <DeviceToolbar query={query} onChange={apply} />
      {notice && (
        <Alert color="teal" variant="light" icon={<IconCircleCheck />} withCloseButton onClose={() => setNotice(null)} data-testid="devices-notice">
          {notice}
        </Alert>
      )}

      {devices.isPending ? (
        <TableSkeleton rows={10} testId="devices-loading" />
      ) : devices.isError && rows.length === 0 ? (
        <LoadError
          title={isRefused ? 'The engine refused this view' : 'Could not load the devices'}
          error={devices.error}
          onRetry={() => void devices.refetch()}
          isRetrying={devices.isFetching}
          testId="devices-error"
        />
      ) : rows.length === 0 ? (
        hasNarrowing(query) ? (
          <EmptyList
            icon={<IconDevices size={28} stroke={1.5} />}
            title="No devices match"
            description="Try another search, or clear the filters."
            testId="devices-empty-filtered"
          />
        ) : (
          <EnrolHint />
        )
      ) : (
        <>
          <Card withBorder padding={0}>
            <DeviceTable
              devices={rows}
              resetKey={paramsFromQuery(query).toString()}
              sort={query.sort}
              onSort={(column: SortColumn) => apply({ ...query, sort: toggleSort(query.sort, column) })}
              hasNextPage={devices.hasNextPage}
              isFetchingNextPage={devices.isFetchingNextPage}
              onNeedMore={needMore}
              now={now}
              canManage={canManage}
              onAction={openAction}
              onRunScript={setRunOn}
            />
          </Card>
          <Group justify="space-between">
            <Text size="sm" c="dimmed" data-testid="devices-count">
              {rows.length} of {countLabel(first?.count_estimate ?? rows.length)} device
              {(first?.count_estimate ?? rows.length) === 1 ? '' : 's'} loaded
            </Text>
            {devices.isFetchNextPageError && (
              <Button size="xs" variant="light" color="red" onClick={needMore} data-testid="devices-more-retry">
                Loading more failed: try again
              </Button>
            )}
          </Group>
        </>
      )}

      {runOn && <QuickJobLauncher opened onClose={() => setRunOn(null)} targets={{ device_guids: [runOn.guid] }} targetLabel={runOn.hostname} />}
      <DeviceActionDialog
        target={target}
        onClose={() => setTarget(null)}
        onDone={(message) => {
          setTarget(null);
          setNotice(message);
        }}
      />
    </Stack>
  );
}

/** The engine counts exactly up to 10,000 and says 10,001 for anything beyond. */
function countLabel(estimate: number): string {
  return estimate > 10_000 ? 'more than 10,000' : estimate.toLocaleString();
}

function EnrolHint() {
  return (
    <EmptyList
      icon={<IconDevices size={28} stroke={1.5} />}
      title="No devices enrolled yet"
      description="Install the agent on a machine with a site's enrolment code: the Sites page shows the code and the install command. New agents wait for approval unless the site's auto-approval window is open; approve them under Approvals and they appear here."
      action={
        <Group gap="sm">
          <Button component={Link} to="/sites" data-testid="devices-empty-sites">
            Open Sites
          </Button>
          <Button component={Link} to="/approvals" variant="default" data-testid="devices-empty-approvals">
            Open Approvals
          </Button>
        </Group>
      }
      testId="devices-empty"
    />
  );
}
