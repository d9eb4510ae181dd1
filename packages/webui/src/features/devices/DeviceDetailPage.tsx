// /devices/:guid: one device with live presence, an editable description, admin actions, and tabs
// for its inventory. The page joins the device's realtime room and refetches when the agent sends
// new inventory.
import { DeviceInventoryChangedSchema, type DeviceInventory } from '@borealis/protocol';
import { Alert, Anchor, Breadcrumbs, Group, Stack, Tabs, Text, Title } from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNow } from '../../shared/use-now';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { isApiError } from '../../shared/api-client';
import { LoadError, TableSkeleton } from '../../shared/ListStates';
import { NotFoundPage } from '../../shared/NotFoundPage';
import { useRealtimeEvent, useRealtimeRoom } from '../../shared/use-realtime';
import { useCurrentUser } from '../auth/current-user';
import { DescriptionEditor } from './DescriptionEditor';
import { DeviceActionDialog, type DeviceActionTarget } from './DeviceActionDialog';
import { DeviceRowMenu } from './DeviceRowMenu';
import { RunQuickJobButton } from '../quick-jobs/QuickJobLauncher';
import { DeviceStatusBadge } from './DeviceStatusBadge';
import { DEVICES_KEY, useDevice, useDeviceDetails } from './devices-queries';
import { HardwareTab } from './HardwareTab';
import { ProcessesTab, ServicesTab, SoftwareTab } from './ListTabs';
import { MetadataTab } from './MetadataTab';
import { OverviewTab } from './OverviewTab';
import { PresenceDot } from './PresenceDot';

const TABS = ['overview', 'hardware', 'software', 'services', 'processes', 'metadata'] as const;
type Tab = (typeof TABS)[number];
const TAB_LABELS: Readonly<Record<Tab, string>> = {
  overview: 'Overview',
  hardware: 'Hardware',
  software: 'Software',
  services: 'Services',
  processes: 'Processes',
  metadata: 'Metadata',
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function DeviceDetailPage() {
  const { guid = '' } = useParams();
  // Not a device GUID: nothing to ask the engine about.
  if (!GUID.test(guid)) return <NotFoundPage homePath="/devices" homeLabel="Devices" />;
  return <DeviceDetail key={guid} guid={guid} />;
}

function DeviceDetail({ guid }: { readonly guid: string }) {
  const me = useCurrentUser();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const tab = TABS.find((t) => t === params.get('tab')) ?? 'overview';
  const device = useDevice(guid);
  const details = useDeviceDetails(device.data?.hostname);
  const [target, setTarget] = useState<DeviceActionTarget | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const now = useNow();

  useRealtimeRoom(`device:${guid.toUpperCase()}`);
  useRealtimeEvent('device_inventory_changed', (payload) => {
    const parsed = DeviceInventoryChangedSchema.safeParse(payload);
    if (!parsed.success || parsed.data.guid.toUpperCase() !== guid.toUpperCase()) return;
    void queryClient.invalidateQueries({ queryKey: [...DEVICES_KEY, 'one', guid.toUpperCase()] });
    void queryClient.invalidateQueries({ queryKey: [...DEVICES_KEY, 'details'] });
  });

  if (device.isPending) return <TableSkeleton rows={8} testId="device-loading" />;
  if (device.isError) {
    if (isApiError(device.error, 'not_found', 'validation_failed')) return <NotFoundPage homePath="/devices" homeLabel="Devices" />;
    return <LoadError title="Could not load this device" error={device.error} onRetry={() => void device.refetch()} isRetrying={device.isFetching} testId="device-error" />;
  }
  const d = device.data;
  const inventory: DeviceInventory | null = details.data && 'inventory' in details.data ? details.data.inventory : null;
  const canEdit = me.role !== 'viewer';

  return (
    <Stack gap="md" maw={1400} data-testid="device-page" data-guid={d.guid}>
      <Breadcrumbs>
        <Anchor component={Link} to="/devices" size="sm">
          Devices
        </Anchor>
        <Text size="sm">{d.hostname}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Stack gap={4} miw={0}>
          <Group gap="sm" wrap="nowrap">
            <PresenceDot presence={d.presence} size={12} />
            <Title order={2} data-testid="device-title">
              {d.hostname}
            </Title>
            <DeviceStatusBadge status={d.status} isShownWhenActive />
          </Group>
          <Text size="sm" c="dimmed" data-testid="device-subtitle">
            {d.presence === 'online' ? 'Online' : 'Offline'} · {d.site_name ?? 'No site'} · {d.operating_system ?? d.platform}
            {d.status_reason ? ` · ${d.status_reason}` : ''}
          </Text>
          <DescriptionEditor device={d} canEdit={canEdit} />
        </Stack>
        <Group gap="xs" wrap="nowrap">
          {me.role !== 'viewer' && d.status === 'active' && <RunQuickJobButton targets={{ device_guids: [d.guid] }} targetLabel={d.hostname} />}
          {me.role === 'admin' && (
            <DeviceRowMenu
              device={d}
              onAction={(action) => {
                setNotice(null);
                setTarget({ action, device: d });
              }}
            />
          )}
        </Group>
      </Group>
      {notice && (
        <Alert color="teal" variant="light" icon={<IconCircleCheck />} withCloseButton onClose={() => setNotice(null)} data-testid="device-notice">
          {notice}
        </Alert>
      )}
      {details.isError && (
        <LoadError title="Could not load the inventory" error={details.error} onRetry={() => void details.refetch()} isRetrying={details.isFetching} testId="device-details-error" />
      )}

      <Tabs
        value={tab}
        onChange={(value) => {
          const next = TABS.find((t) => t === value) ?? 'overview';
          setParams(next === 'overview' ? {} : { tab: next }, { replace: true });
        }}
        keepMounted={false}
      >
        <Tabs.List mb="md">
          {TABS.map((t) => (
            <Tabs.Tab key={t} value={t} data-testid={`device-tab-${t}`}>
              {TAB_LABELS[t]}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="overview">
          <OverviewTab device={d} inventory={inventory} now={now} />
        </Tabs.Panel>
        <Tabs.Panel value="hardware">{details.isPending ? <TableSkeleton testId="device-details-loading" /> : <HardwareTab inventory={inventory} />}</Tabs.Panel>
        <Tabs.Panel value="software">{details.isPending ? <TableSkeleton testId="device-details-loading" /> : <SoftwareTab inventory={inventory} />}</Tabs.Panel>
        <Tabs.Panel value="services">{details.isPending ? <TableSkeleton testId="device-details-loading" /> : <ServicesTab inventory={inventory} />}</Tabs.Panel>
        <Tabs.Panel value="processes">{details.isPending ? <TableSkeleton testId="device-details-loading" /> : <ProcessesTab inventory={inventory} />}</Tabs.Panel>
        <Tabs.Panel value="metadata">
          <MetadataTab guid={d.guid} canEdit={canEdit} canLabel={me.role === 'admin'} now={now} />
        </Tabs.Panel>
      </Tabs>

      <DeviceActionDialog
        target={target}
        onClose={() => setTarget(null)}
        onDone={(message, done) => {
          setTarget(null);
          // A purged device no longer exists: back to the list, which says what happened.
          if (done.action === 'purge') void navigate('/devices', { replace: true });
          else setNotice(message);
        }}
      />
    </Stack>
  );
}
