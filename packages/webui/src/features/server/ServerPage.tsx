// The Server area: live engine health from GET /health, with loading and unreachable states.
import { Alert, Badge, Button, Card, Group, Loader, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import type { Health } from '@borealis/protocol';
import { IconAlertTriangle, IconPlugConnectedX, IconRefresh } from '@tabler/icons-react';
import { DatabaseCard } from './DatabaseCard';
import { EngineCard } from './EngineCard';
import { ServerAdminCards } from './ServerAdminCards';
import { StatusBadge } from './StatusBadge';
import { HEALTH_REFETCH_MS, useHealth } from './use-health';

export function ServerPage() {
  const health = useHealth();

  return (
    <Stack gap="lg" maw={1100}>
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <Title order={2}>Server</Title>
          <Text size="sm" c="dimmed">
            Live health of this engine, refreshed every {HEALTH_REFETCH_MS / 1_000} s.
          </Text>
        </div>
        {health.isSuccess && (
          <Group gap="sm">
            {health.isFetching && <Loader size="xs" aria-label="Refreshing" />}
            <StatusBadge status={health.data.status} testId="health-status" size="xl" />
          </Group>
        )}
      </Group>

      {health.isError ? (
        <UnreachableState
          error={health.error}
          isRetrying={health.isFetching}
          onRetry={() => void health.refetch()}
        />
      ) : health.isPending ? (
        <LoadingState />
      ) : (
        <HealthView health={health.data} reportedAt={health.dataUpdatedAt} />
      )}
    </Stack>
  );
}

function HealthView({ health, reportedAt }: { health: Health; reportedAt: number }) {
  return (
    <>
      {health.status !== 'ok' && (
        <Alert
          color="red"
          variant="light"
          icon={<IconAlertTriangle />}
          title="The engine is running but not healthy"
          data-testid="health-failing"
        >
          <Group gap="xs">
            <Text size="sm">Failing:</Text>
            {health.failing.length > 0 ? (
              health.failing.map((part) => (
                <Badge key={part} color="red" variant="outline" tt="none">
                  {part}
                </Badge>
              ))
            ) : (
              <Text size="sm">no part named</Text>
            )}
          </Group>
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <EngineCard health={health} reportedAt={reportedAt} />
        <DatabaseCard database={health.database} />
      </SimpleGrid>
      <ServerAdminCards />
    </>
  );
}

function LoadingState() {
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg" data-testid="health-loading" aria-busy>
      {[0, 1].map((card) => (
        <Card key={card} withBorder padding="lg">
          <Skeleton h={22} w="40%" mb="lg" />
          <Stack gap="md">
            {[0, 1, 2, 3].map((row) => (
              <Skeleton key={row} h={14} w={`${70 - row * 8}%`} />
            ))}
          </Stack>
        </Card>
      ))}
    </SimpleGrid>
  );
}

interface UnreachableStateProps {
  readonly error: Error;
  readonly isRetrying: boolean;
  readonly onRetry: () => void;
}

function UnreachableState({ error, isRetrying, onRetry }: UnreachableStateProps) {
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconPlugConnectedX />}
      title="Cannot reach the engine"
      data-testid="health-error"
    >
      <Stack gap="sm" align="flex-start">
        <Text size="sm">
          {error.message} This page keeps trying every {HEALTH_REFETCH_MS / 1_000} s.
        </Text>
        <Button
          size="xs"
          color="red"
          variant="white"
          leftSection={<IconRefresh size={16} />}
          loading={isRetrying}
          onClick={onRetry}
          data-testid="health-retry"
        >
          Retry
        </Button>
      </Stack>
    </Alert>
  );
}
