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

/** What QueryStates reads of a TanStack query (plain or infinite). */
export interface ListQueryState<T> {
  readonly isPending: boolean;
  readonly isError: boolean;
  readonly isFetching: boolean;
  readonly error: Error | null;
  readonly data: T | undefined;
  refetch(): unknown;
}

export interface QueryStatesProps<T> {
  readonly query: ListQueryState<T>;
  /** Prefix of the loading and error states' test ids: `<testId>-loading`, `<testId>-error`. */
  readonly testId: string;
  readonly errorTitle: string;
  readonly isEmpty: (data: T) => boolean;
  /** Usually an EmptyList saying why there is nothing and what to do. */
  readonly empty: ReactNode;
  readonly children: (data: T) => ReactNode;
}

/** Loading skeleton, error with retry, empty state, or the list itself: the one order every list page follows. */
export function QueryStates<T>({ query, testId, errorTitle, isEmpty, empty, children }: QueryStatesProps<T>) {
  if (query.isPending) return <TableSkeleton testId={`${testId}-loading`} />;
  if (query.isError || query.data === undefined)
    return <LoadError title={errorTitle} error={query.error ?? new Error('No data')} onRetry={() => void query.refetch()} isRetrying={query.isFetching} testId={`${testId}-error`} />;
  if (isEmpty(query.data)) return <>{empty}</>;
  return <>{children(query.data)}</>;
}
