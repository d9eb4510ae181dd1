// /quick-jobs/:id: one job's results per device (status, exit code, duration), its counts, the output
// of the selected device (live chunks while it runs, the stored result after), and cancel.
import type { QuickJobTarget } from '@borealis/protocol';
import { Button, Card, Code, Group, ScrollArea, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useParams } from 'react-router';
import { ConfirmDialog } from '../../shared/ConfirmDialog';
import { formatDateTime } from '../../shared/format-date-time';
import { LoadError, TableSkeleton } from '../../shared/ListStates';
import { PageHeader } from '../../shared/PageHeader';
import { useCurrentUser } from '../auth/current-user';
import { isOpen, mergeChunks, useActivity, useCancelQuickJob, useQuickJob, useQuickJobEvents, useQuickJobTargets, usePushedChunks } from './quick-jobs-queries';
import { QuickJobCountBadges, QuickJobStatusBadge } from './QuickJobStatusBadge';
import { formatRunTime } from '../../shared/format-duration';

const durationOf = (t: QuickJobTarget) => (t.duration_ms === null ? '—' : formatRunTime(t.duration_ms));

export function QuickJobPage() {
  const { id = '' } = useParams();
  const me = useCurrentUser();
  const job = useQuickJob(id);
  useQuickJobEvents(id);
  const live = job.data === undefined || isOpen(job.data);
  const targets = useQuickJobTargets(id, live);
  const [selected, setSelected] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const cancel = useCancelQuickJob(id);
  const rows = targets.data?.targets ?? [];
  const current = selected ?? rows.find((r) => r.status !== 'Skipped')?.job_id ?? null;
  const currentRow = rows.find((r) => r.job_id === current);

  if (job.isPending) return <TableSkeleton testId="quick-job-loading" />;
  if (job.isError) return <LoadError title="Could not load this quick job" error={job.error} onRetry={() => void job.refetch()} isRetrying={job.isFetching} testId="quick-job-error" />;

  return (
    <Stack gap="lg" maw={1400} data-testid="quick-job-page">
      <PageHeader
        title={job.data.script_name}
        description={`Started ${formatDateTime(job.data.created_at)} by ${job.data.created_by_name} on ${job.data.target_count} device${job.data.target_count === 1 ? '' : 's'}; offline devices wait until ${formatDateTime(job.data.expires_at)}.`}
        actions={
          me.role !== 'viewer' && live ? (
            <Button color="red" variant="light" onClick={() => setConfirming(true)} data-testid="quick-job-cancel">
              Cancel
            </Button>
          ) : undefined
        }
      />
      <Group>
        <Text fw={500}>{live ? 'Running' : 'Finished'}</Text>
        <QuickJobCountBadges counts={job.data.counts} />
      </Group>
      <Card withBorder padding={0}>
        <Table highlightOnHover data-testid="quick-job-targets">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Device</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Exit code</Table.Th>
              <Table.Th>Duration</Table.Th>
              <Table.Th>Detail</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((t) => (
              <Table.Tr key={t.job_id} onClick={() => setSelected(t.job_id)} bg={t.job_id === current ? 'var(--mantine-color-blue-light)' : undefined} style={{ cursor: 'pointer' }} data-testid={`target-${t.hostname}`}>
                <Table.Td>{t.hostname}</Table.Td>
                <Table.Td>
                  <QuickJobStatusBadge status={t.status} />
                </Table.Td>
                <Table.Td data-testid="target-exit-code">{t.exit_code ?? '—'}</Table.Td>
                <Table.Td>{durationOf(t)}</Table.Td>
                <Table.Td>
                  <Text size="sm" c="dimmed">
                    {t.error_code ?? t.skip_reason ?? t.phase ?? ''}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
      {current && currentRow && <OutputPanel jobId={current} status={currentRow.status} hostname={currentRow.hostname} isRunning={currentRow.status === 'Running' || currentRow.status === 'Pending' || currentRow.finished_at === null} />}
      <ConfirmDialog
        opened={confirming}
        title="Cancel this quick job?"
        confirmLabel="Cancel job"
        onConfirm={() => cancel.mutate(undefined, { onSuccess: () => setConfirming(false) })}
        onCancel={() => setConfirming(false)}
        isPending={cancel.isPending}
        error={cancel.error}
        testId="quick-job-cancel-dialog"
      >
        Devices that have not started it never will; running scripts are stopped.
      </ConfirmDialog>
    </Stack>
  );
}

function OutputPanel({ jobId, status, hostname, isRunning }: { readonly jobId: string; readonly status: string; readonly hostname: string; readonly isRunning: boolean }) {
  const activity = useActivity(jobId, status, isRunning);
  const pushed = usePushedChunks(jobId);
  const data = activity.data;
  // Live chunks while it runs (stored ones and those pushed since); the stored (capped) result replaces them at the end.
  const live = mergeChunks(data?.live_output ?? [], pushed);
  const liveOut = live.filter((c) => c.stream === 'stdout').map((c) => c.chunk).join('');
  const liveErr = live.filter((c) => c.stream === 'stderr').map((c) => c.chunk).join('');
  const stdout = data?.stdout ?? liveOut;
  const stderr = data?.stderr ?? liveErr;
  return (
    <Card withBorder data-testid="quick-job-output">
      <Title order={4} mb="xs">
        Output of {hostname}
      </Title>
      {data?.stdout_truncated && <Text size="sm" c="dimmed">Output was cut to its first and last part ({data.stdout_total_bytes} bytes in total).</Text>}
      <ScrollArea.Autosize mah={420}>
        <Code block data-testid="quick-job-stdout">
          {stdout || (isRunning ? 'Waiting for output…' : '(no output)')}
        </Code>
        {stderr && (
          <Code block color="red.1" mt="xs" data-testid="quick-job-stderr">
            {stderr}
          </Code>
        )}
      </ScrollArea.Autosize>
    </Card>
  );
}
