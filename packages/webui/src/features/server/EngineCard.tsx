// Engine facts from /health: version, role, live uptime and start time.
import { Card, Code, DataList, Group, Text, Title } from '@mantine/core';
import type { EngineRole, Health } from '@borealis/protocol';
import { IconServer } from '@tabler/icons-react';
import { formatDateTime } from '../../shared/format-date-time';
import { formatDuration } from '../../shared/format-duration';
import { useLiveUptime } from './use-live-uptime';

const ROLE_HINTS: Readonly<Record<EngineRole, string>> = {
  all: 'API, scheduler and site worker',
  api: 'REST and realtime API',
  scheduler: 'Job scheduler',
  'site-worker': 'Site worker',
};

export interface EngineCardProps {
  readonly health: Health;
  /** When the health was fetched (ms since epoch), so uptime can tick from there. */
  readonly reportedAt: number;
}

export function EngineCard({ health, reportedAt }: EngineCardProps) {
  const uptime = useLiveUptime(health.uptime_seconds, reportedAt);
  return (
    <Card withBorder padding="lg">
      <Group gap="xs" mb="md">
        <IconServer size={20} stroke={1.6} />
        <Title order={3} size="h4">
          Engine
        </Title>
      </Group>
      <DataList labelWidth="9rem" withDivider>
        <DataList.Item>
          <DataList.ItemLabel>Version</DataList.ItemLabel>
          <DataList.ItemValue>
            <Text span inherit fw={600} ff="monospace" data-testid="server-version">
              {health.version}
            </Text>
          </DataList.ItemValue>
        </DataList.Item>
        <DataList.Item>
          <DataList.ItemLabel>Role</DataList.ItemLabel>
          <DataList.ItemValue>
            <Code data-testid="server-role">{health.role}</Code>{' '}
            <Text span inherit c="dimmed">
              {ROLE_HINTS[health.role]}
            </Text>
          </DataList.ItemValue>
        </DataList.Item>
        <DataList.Item>
          <DataList.ItemLabel>Uptime</DataList.ItemLabel>
          <DataList.ItemValue>
            <Text span inherit data-testid="server-uptime" title={`${uptime} seconds`}>
              {formatDuration(uptime)}
            </Text>
          </DataList.ItemValue>
        </DataList.Item>
        <DataList.Item>
          <DataList.ItemLabel>Started at</DataList.ItemLabel>
          <DataList.ItemValue>
            <Text span inherit data-testid="server-started-at" title={health.started_at}>
              {formatDateTime(health.started_at)}
            </Text>
          </DataList.ItemValue>
        </DataList.Item>
      </DataList>
    </Card>
  );
}
