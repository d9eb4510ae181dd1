// Overview of one device: system facts, the live gauges of its last heartbeat (CPU, memory, disks)
// and who is logged in.
import type { Device, DeviceInventory } from '@borealis/protocol';
import { Card, Group, Progress, RingProgress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { formatDateTime } from '../../shared/format-date-time';
import { formatDuration } from '../../shared/format-duration';
import { formatBytes, formatPercent } from '../../shared/format-bytes';
import { formatRelative } from '../../shared/format-relative';
import { usageColor } from './DeviceTable';
import { Facts } from './Facts';

export function OverviewTab({ device, inventory, now }: { readonly device: Device; readonly inventory: DeviceInventory | null; readonly now: number }) {
  const summary = inventory?.summary ?? null;
  const users = device.logged_in_users;
  return (
    <Stack gap="md" data-testid="device-overview">
      <SimpleGrid cols={{ base: 1, md: 3 }} spacing="md">
        <Gauge label="CPU" value={device.cpu_percent} detail={device.load_1m === null ? undefined : `load ${device.load_1m.toFixed(2)}`} testId="gauge-cpu" />
        <Gauge
          label="Memory"
          value={device.memory_percent}
          detail={device.total_ram_bytes === null ? undefined : `of ${formatBytes(device.total_ram_bytes)}`}
          testId="gauge-memory"
        />
        <Card withBorder padding="md" data-testid="gauge-disks">
          <Text size="sm" fw={600} mb="xs">
            Disks
          </Text>
          {device.disks.length === 0 ? (
            <Text size="sm" c="dimmed">
              No disk usage reported yet.
            </Text>
          ) : (
            <Stack gap={6}>
              {device.disks.map((disk) => (
                <div key={disk.drive}>
                  <Group justify="space-between" gap="xs">
                    <Text size="xs" ff="monospace" truncate="end">
                      {disk.drive}
                    </Text>
                    <Text size="xs">{formatPercent(disk.usage)}</Text>
                  </Group>
                  <Progress size="sm" value={disk.usage} color={usageColor(disk.usage)} aria-label={`Disk ${disk.drive}`} />
                </div>
              ))}
            </Stack>
          )}
        </Card>
      </SimpleGrid>

      <Card withBorder padding="lg">
        <Title order={4} mb="md">
          System
        </Title>
        <Facts
          facts={[
            { label: 'Operating system', value: device.operating_system, testId: 'device-fact-os' },
            { label: 'Kernel', value: device.kernel ?? summary?.os?.kernel, mono: true, testId: 'device-fact-kernel' },
            { label: 'Architecture', value: device.arch, mono: true },
            {
              label: 'Agent version',
              value: device.agent_version
                ? `${device.agent_version}${device.agent_version_status === 'Needs Updated' && device.target_agent_version ? ` (update to ${device.target_agent_version})` : ''}`
                : null,
              mono: true,
              testId: 'device-fact-agent',
            },
            { label: 'Uptime', value: device.uptime_seconds === null ? null : formatDuration(device.uptime_seconds), testId: 'device-fact-uptime' },
            {
              label: 'Last seen',
              value: device.presence === 'online' ? 'Connected now' : device.last_seen ? `${formatRelative(device.last_seen, now)} (${formatDateTime(device.last_seen)})` : 'Never',
            },
            { label: 'Internal IP', value: device.internal_ip, mono: true, testId: 'device-fact-ip' },
            { label: 'External IP', value: device.external_ip, mono: true },
            { label: 'Last user', value: device.last_user },
            { label: 'Device type', value: device.device_type },
            { label: 'Domain', value: device.domain },
            { label: 'Timezone', value: summary?.timezone },
            { label: 'Manufacturer / model', value: [device.manufacturer, device.system_model].filter(Boolean).join(' ') || null },
            { label: 'Serial number', value: device.serial_number, mono: true },
            { label: 'Enrolled', value: formatDateTime(device.enrolled_at) },
          ]}
        />
      </Card>

      <Card withBorder padding="lg">
        <Title order={4} mb="xs">
          Logged-in users
        </Title>
        {users.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nobody is logged in, or the agent has not said yet.
          </Text>
        ) : (
          <Text size="sm" data-testid="device-logged-in-users">
            {users.join(', ')}
          </Text>
        )}
      </Card>
    </Stack>
  );
}

function Gauge({ label, value, detail, testId }: { readonly label: string; readonly value: number | null; readonly detail?: string; readonly testId: string }) {
  return (
    <Card withBorder padding="md" data-testid={testId}>
      <Group gap="md" wrap="nowrap">
        <RingProgress
          size={84}
          thickness={9}
          roundCaps
          sections={value === null ? [] : [{ value: Math.min(100, Math.max(0, value)), color: usageColor(value) }]}
          label={
            <Text ta="center" size="sm" fw={700}>
              {formatPercent(value)}
            </Text>
          }
        />
        <Stack gap={0}>
          <Text size="sm" fw={600}>
            {label}
          </Text>
          <Text size="xs" c="dimmed">
            {value === null ? 'No heartbeat yet' : (detail ?? 'From the last heartbeat')}
          </Text>
        </Stack>
      </Group>
    </Card>
  );
}
