// Aegis at a glance: configured and unlocked, how the passphrase is stretched, the active data key,
// how many values it protects per column, and the progress of a data-key rotation.
import { Badge, Card, DataList, Group, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { formatDateTime } from '../../shared/format-date-time';
import type { AegisStatus } from './aegis-queries';

const ROTATION_COLORS: Readonly<Record<string, string>> = {
  running: 'blue',
  completed: 'teal',
  failed: 'red',
  cancelled: 'gray',
};

const ROTATION_LABELS: Readonly<Record<string, string>> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export function AegisStatusCard({ status }: { readonly status: AegisStatus }) {
  const counts = Object.entries(status.protected_counts).sort(([a], [b]) => a.localeCompare(b));
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  return (
    <Card withBorder padding="lg" data-testid="aegis-status">
      <Group gap="xs" mb="md">
        <IconLock size={20} stroke={1.6} />
        <Title order={3} size="h4">
          Aegis
        </Title>
      </Group>
      <DataList labelWidth="10rem" withDivider>
        <DataList.Item>
          <DataList.ItemLabel>State</DataList.ItemLabel>
          <DataList.ItemValue>
            <Badge
              variant="light"
              tt="none"
              color={!status.configured ? 'gray' : status.locked ? 'red' : 'teal'}
              data-testid="aegis-state"
            >
              {!status.configured ? 'Not set up' : status.locked ? 'Locked' : 'Unlocked'}
            </Badge>
          </DataList.ItemValue>
        </DataList.Item>
        <DataList.Item>
          <DataList.ItemLabel>Key derivation</DataList.ItemLabel>
          <DataList.ItemValue data-testid="aegis-kdf">
            {status.kdf ? `${status.kdf.name} (N = ${status.kdf.n}, r = ${status.kdf.r}, p = ${status.kdf.p})` : '—'}
          </DataList.ItemValue>
        </DataList.Item>
        <DataList.Item>
          <DataList.ItemLabel>Active data key</DataList.ItemLabel>
          <DataList.ItemValue>
            <Text span inherit ff="monospace" data-testid="aegis-key-id">
              {status.active_key_id ?? '—'}
            </Text>
          </DataList.ItemValue>
        </DataList.Item>
        <DataList.Item>
          <DataList.ItemLabel>Last rotation</DataList.ItemLabel>
          <DataList.ItemValue>{status.rotation ? <Rotation rotation={status.rotation} /> : 'None yet'}</DataList.ItemValue>
        </DataList.Item>
      </DataList>

      <Text size="sm" fw={500} mt="lg" mb={4}>
        Protected values
      </Text>
      {counts.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing is stored under Aegis yet.
        </Text>
      ) : (
        <Table verticalSpacing={4} fz="sm" data-testid="aegis-counts">
          <Table.Tbody>
            {counts.map(([column, n]) => (
              <Table.Tr key={column}>
                <Table.Td>
                  <Text span size="sm" ff="monospace">
                    {column}
                  </Text>
                </Table.Td>
                <Table.Td ta="right">{n}</Table.Td>
              </Table.Tr>
            ))}
            <Table.Tr>
              <Table.Td fw={500}>Total</Table.Td>
              <Table.Td ta="right" fw={500}>
                {total}
              </Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}

function Rotation({ rotation }: { readonly rotation: NonNullable<AegisStatus['rotation']> }) {
  const percent = rotation.total > 0 ? Math.min(100, (rotation.done / rotation.total) * 100) : 100;
  return (
    <Stack gap={6} data-testid="aegis-rotation" data-state={rotation.state}>
      <Group gap="xs">
        <Badge variant="light" tt="none" color={ROTATION_COLORS[rotation.state] ?? 'gray'} data-testid="aegis-rotation-state">
          {ROTATION_LABELS[rotation.state] ?? rotation.state}
        </Badge>
        <Text size="xs" c="dimmed">
          {rotation.done} of {rotation.total} values
        </Text>
      </Group>
      <Progress
        value={percent}
        animated={rotation.state === 'running'}
        striped={rotation.state === 'running'}
        color={ROTATION_COLORS[rotation.state] ?? 'gray'}
        aria-label={`Rotation ${Math.round(percent)}% done`}
        data-testid="aegis-rotation-progress"
      />
      <Text size="xs" c="dimmed">
        Started {formatDateTime(rotation.started_at)}
        {rotation.finished_at ? `, finished ${formatDateTime(rotation.finished_at)}` : ''}
      </Text>
      {rotation.error && (
        <Text size="xs" c="red">
          {rotation.error}
        </Text>
      )}
    </Stack>
  );
}
