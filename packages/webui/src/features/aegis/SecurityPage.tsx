// /security (admins): Aegis status, passphrase change and data-key rotation, and the force reset.
import { SimpleGrid, Stack } from '@mantine/core';
import { LoadError, TableSkeleton } from '../../shared/ListStates';
import { PageHeader } from '../../shared/PageHeader';
import { AegisStatusCard } from './AegisStatusCard';
import { isRotationRunning, useAegisStatus } from './aegis-queries';
import { ForceResetCard } from './ForceResetCard';
import { RotateCard } from './RotateCard';

export function SecurityPage() {
  const status = useAegisStatus();
  return (
    <Stack gap="lg" maw={1300} data-testid="security-page">
      <PageHeader
        title="Security"
        description="Aegis encrypts every stored secret under a key derived from its passphrase."
      />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        {status.isPending ? (
          <TableSkeleton rows={6} testId="aegis-loading" />
        ) : status.isError ? (
          <LoadError
            title="Could not load the Aegis status"
            error={status.error}
            onRetry={() => void status.refetch()}
            isRetrying={status.isFetching}
            testId="aegis-error"
          />
        ) : (
          <AegisStatusCard status={status.data} />
        )}
        <RotateCard isRotationRunning={isRotationRunning(status.data)} />
      </SimpleGrid>
      <ForceResetCard />
    </Stack>
  );
}
