// Database facts from /health: status, dialect, latency and newest applied migration.
import { Card, DataList, Group, Text, Title } from '@mantine/core';
import type { DatabaseHealth } from '@borealis/protocol';
import { IconDatabase } from '@tabler/icons-react';
import { StatusBadge } from './StatusBadge';

const DIALECT_LABELS: Readonly<Record<DatabaseHealth['dialect'], string>> = {
  pglite: 'Embedded (PGlite)',
  postgres: 'PostgreSQL',
};

const NOT_REPORTED = '—';

export interface DatabaseCardProps {
  readonly database: DatabaseHealth;
}

export function DatabaseCard({ database }: DatabaseCardProps) {
  return (
    <Card withBorder padding="lg">
      <Group gap="xs" mb="md">
        <IconDatabase size={20} stroke={1.6} />
        <Title order={3} size="h4">
          Database
        </Title>
      </Group>
      <DataList labelWidth="9rem" withDivider>
        <DataList.Item>
          <DataList.ItemLabel>Status</DataList.ItemLabel>
          <DataList.ItemValue>
            <StatusBadge status={database.status} testId="database-status" />
          </DataList.ItemValue>
        </DataList.Item>
        <DataList.Item>
          <DataList.ItemLabel>Dialect</DataList.ItemLabel>
          <DataList.ItemValue data-testid="database-dialect">{DIALECT_LABELS[database.dialect]}</DataList.ItemValue>
        </DataList.Item>
        <DataList.Item>
          <DataList.ItemLabel>Latency</DataList.ItemLabel>
          <DataList.ItemValue data-testid="database-latency">
            {database.latency_ms === null ? NOT_REPORTED : `${formatLatency(database.latency_ms)} ms`}
          </DataList.ItemValue>
        </DataList.Item>
        <DataList.Item>
          <DataList.ItemLabel>Schema version</DataList.ItemLabel>
          <DataList.ItemValue>
            <Text
              span
              inherit
              ff={database.schema_version === null ? undefined : 'monospace'}
              data-testid="database-schema-version"
            >
              {database.schema_version ?? NOT_REPORTED}
            </Text>
          </DataList.ItemValue>
        </DataList.Item>
        {database.message !== undefined && (
          <DataList.Item>
            <DataList.ItemLabel>Reason</DataList.ItemLabel>
            <DataList.ItemValue>
              <Text span inherit c="red" data-testid="database-message">
                {database.message}
              </Text>
            </DataList.ItemValue>
          </DataList.Item>
        )}
      </DataList>
    </Card>
  );
}

function formatLatency(ms: number): string {
  return ms < 10 ? ms.toFixed(1) : Math.round(ms).toString();
}
