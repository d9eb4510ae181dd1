// The loading, failed and empty states every admin table shares, so the pages look and behave alike.
import { Alert, Button, Card, EmptyState, Skeleton, Stack, Text } from '@mantine/core';
import { IconAlertCircle, IconRefresh } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { CancelledError } from './cancelled-error';

export function TableSkeleton({ rows = 4, testId }: { readonly rows?: number; readonly testId: string }) {
  return (
    <Card withBorder padding="lg" data-testid={testId} aria-busy>
      <Stack gap="sm">
        <Skeleton h={18} w="30%" />
        {Array.from({ length: rows }, (_, row) => (
          <Skeleton key={row} h={30} />
        ))}
      </Stack>
    </Card>
  );
}

export interface LoadErrorProps {
  readonly title: string;
  readonly error: Error;
  readonly onRetry: () => void;
  readonly isRetrying?: boolean;
  readonly testId: string;
}

export function LoadError({ title, error, onRetry, isRetrying = false, testId }: LoadErrorProps) {
  const message =
    error instanceof CancelledError
      ? 'This list needs a fresh second-factor check, which was cancelled.'
      : error.message;
  return (
    <Alert color="red" variant="light" icon={<IconAlertCircle />} title={title} data-testid={testId}>
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{message}</Text>
        <Button
          size="xs"
          variant="white"
          color="red"
          leftSection={<IconRefresh size={14} />}
          loading={isRetrying}
          onClick={onRetry}
          data-testid={`${testId}-retry`}
        >
          Try again
        </Button>
      </Stack>
    </Alert>
  );
}

export interface EmptyListProps {
  readonly icon: ReactNode;
  readonly title: string;
  readonly description: string;
  readonly action?: ReactNode;
  readonly testId: string;
}

export function EmptyList({ icon, title, description, action, testId }: EmptyListProps) {
  return (
    <Card withBorder padding="xl" data-testid={testId}>
      <EmptyState variant="light" icon={icon} title={title} description={description}>
        {action && <EmptyState.Actions>{action}</EmptyState.Actions>}
      </EmptyState>
    </Card>
  );
}
