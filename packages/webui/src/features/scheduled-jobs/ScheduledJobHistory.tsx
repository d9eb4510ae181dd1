// /scheduled-jobs/:id: a job's run history — occurrences newest first with status counts; one
// occurrence opens its per-device results (status, exit code, output of each component).
import { Badge, Button, Card, Code, Group, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { formatDateTime } from '../../shared/format-date-time';
import { LoadError, QueryStates, TableSkeleton } from '../../shared/ListStates';
import { PageHeader } from '../../shared/PageHeader';
import { useCurrentUser } from '../auth/current-user';
import { describeSchedule } from './schedule-form';
import { getScheduledJob, listDeviceRuns, listOccurrences, rerunScheduledJob } from './scheduled-jobs-api';
import { SCHEDULED_JOBS_KEY, StatusBadge } from './ScheduledJobsPage';
import { formatRunTime } from '../../shared/format-duration';

const REFRESH_MS = 3000;

export function ScheduledJobHistory() {
  const jobId = Number(useParams().id);
  const me = useCurrentUser();
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<string | null>(null);
  // Polled with the history: each occurrence the scheduler makes moves the header's "next".
  const job = useQuery({ queryKey: [...SCHEDULED_JOBS_KEY, jobId], queryFn: ({ signal }) => getScheduledJob(jobId, { signal }), refetchInterval: REFRESH_MS });
  const occurrences = useQuery({ queryKey: [...SCHEDULED_JOBS_KEY, jobId, 'runs'], queryFn: ({ signal }) => listOccurrences(jobId, { signal }), refetchInterval: REFRESH_MS });
  const runs = useQuery({
    queryKey: [...SCHEDULED_JOBS_KEY, jobId, 'devices', selected],
    queryFn: ({ signal }) => listDeviceRuns(jobId, selected!, { signal }),
    enabled: selected !== null,
    refetchInterval: REFRESH_MS,
  });
  const rerun = useMutation({
    mutationFn: () => rerunScheduledJob(jobId, crypto.randomUUID()),
    onSuccess: (res) => {
      setSelected(res.occurrence_id);
      void queryClient.invalidateQueries({ queryKey: [...SCHEDULED_JOBS_KEY, jobId] });
    },
  });

  return (
    <Stack gap="lg" maw={1300} data-testid="scheduled-job-history">
      <PageHeader
        title={job.data?.name ?? 'Scheduled job'}
        description={job.data ? `${describeSchedule(job.data.schedule)} · next: ${job.data.next_occurrence_at ? formatDateTime(job.data.next_occurrence_at) : '—'}` : ' '}
        actions={
          me.role !== 'viewer' && (
            <Group>
              <Button variant="default" component={Link} to="edit" data-testid="history-edit">
                Edit
              </Button>
              <Button onClick={() => rerun.mutate()} loading={rerun.isPending} disabled={job.data?.enabled === false} data-testid="history-rerun">
                Run now
              </Button>
            </Group>
          )
        }
      />
      {rerun.error && <ApiErrorAlert error={rerun.error} title="Could not start a run" />}
      <QueryStates
        query={occurrences}
        testId="occurrences"
        errorTitle="Could not load the history"
        isEmpty={(data) => data.occurrences.length === 0}
        empty={
          <Text c="dimmed" data-testid="occurrences-empty">
            No runs yet.
          </Text>
        }
      >
        {(data) => (
          <Card withBorder padding={0}>
            <Table highlightOnHover data-testid="occurrences-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Scheduled for</Table.Th>
                  <Table.Th>Trigger</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Devices</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.occurrences.map((o) => (
                  <Table.Tr key={o.id} style={{ cursor: 'pointer' }} bg={o.id === selected ? 'var(--mantine-color-blue-light)' : undefined} onClick={() => setSelected(o.id)} data-testid="occurrence-row">
                    <Table.Td>{formatDateTime(o.scheduled_for)}</Table.Td>
                    <Table.Td>
                      {o.trigger}
                      {o.missed_count > 0 ? ` (${o.missed_count} missed)` : ''}
                    </Table.Td>
                    <Table.Td>
                      <StatusBadge status={o.status} />
                      {o.skip_reason && (
                        <Text span size="xs" c="dimmed" ml="xs">
                          {o.skip_reason}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {Object.entries(o.counts)
                          .filter(([k]) => k !== 'total')
                          .map(([k, n]) => (
                            <Badge key={k} variant="outline" size="sm">
                              {k} {n}
                            </Badge>
                          ))}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Card>
        )}
      </QueryStates>
      {selected && (
        <Card withBorder data-testid="device-runs">
          <Text fw={500} mb="sm">
            Per-device results
          </Text>
          {runs.isPending ? (
            <TableSkeleton testId="device-runs-loading" />
          ) : runs.isError ? (
            <LoadError title="Could not load the results" error={runs.error} onRetry={() => void runs.refetch()} testId="device-runs-error" />
          ) : runs.data.runs.length === 0 ? (
            <Text c="dimmed">No devices yet (the occurrence is being prepared, or targeted none).</Text>
          ) : (
            <Stack>
              {runs.data.runs.map((run) => (
                <Card key={run.run_id} withBorder data-testid="device-run">
                  <Group justify="space-between">
                    <Text fw={500}>{run.hostname}</Text>
                    <Group gap="xs">
                      <StatusBadge status={run.status} />
                      {run.skip_reason && <Text size="xs">{run.skip_reason}</Text>}
                    </Group>
                  </Group>
                  {run.executions.map((e) => (
                    <Stack key={e.job_id} gap={4} mt="xs">
                      <Text size="sm">
                        {e.component_index + 1}. {e.script_name} — {e.status}
                        {e.exit_code !== null ? ` (exit ${e.exit_code})` : ''}
                        {e.duration_ms !== null ? ` in ${formatRunTime(e.duration_ms)}` : ''}
                        {e.error_code ? ` · ${e.error_code}` : ''}
                      </Text>
                      {e.stdout && (
                        <Code block data-testid="device-run-stdout">
                          {e.stdout}
                        </Code>
                      )}
                      {e.stderr && (
                        <Code block c="red">
                          {e.stderr}
                        </Code>
                      )}
                    </Stack>
                  ))}
                </Card>
              ))}
            </Stack>
          )}
        </Card>
      )}
    </Stack>
  );
}
