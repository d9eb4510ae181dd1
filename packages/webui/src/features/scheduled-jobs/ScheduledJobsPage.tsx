// /scheduled-jobs: every job in my scope with its schedule, next run, last occurrence and an
// enable switch; rows open the run history.
import { Badge, Button, Card, Stack, Switch, Table, Text } from '@mantine/core';
import { IconCalendarTime, IconPlus } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { formatDateTime } from '../../shared/format-date-time';
import { EmptyList, QueryStates } from '../../shared/ListStates';
import { PageHeader } from '../../shared/PageHeader';
import { useCurrentUser } from '../auth/current-user';
import { describeSchedule } from './schedule-form';
import { listScheduledJobs, toggleScheduledJob } from './scheduled-jobs-api';

export const SCHEDULED_JOBS_KEY = ['scheduled-jobs'] as const;

export function StatusBadge({ status }: { readonly status: string }) {
  const color = status === 'Success' ? 'green' : status === 'Warning' ? 'yellow' : status === 'Running' || status === 'Pending' ? 'blue' : status === 'Skipped' || status === 'Cancelled' ? 'gray' : 'red';
  return (
    <Badge color={color} variant="light" data-testid="status-badge">
      {status}
    </Badge>
  );
}

export function ScheduledJobsPage() {
  const me = useCurrentUser();
  const canManage = me.role !== 'viewer';
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const jobs = useQuery({ queryKey: SCHEDULED_JOBS_KEY, queryFn: ({ signal }) => listScheduledJobs({ signal }), refetchInterval: 10_000 });
  const toggle = useMutation({
    mutationFn: ({ id, enabled }: { id: number; enabled: boolean }) => toggleScheduledJob(id, enabled),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: SCHEDULED_JOBS_KEY }),
  });

  return (
    <Stack gap="lg" maw={1300} data-testid="scheduled-jobs-page">
      <PageHeader
        title="Scheduled jobs"
        description="Assemblies that run on a schedule, in the time zone you choose, with a history per device."
        actions={
          canManage && (
            <Button leftSection={<IconPlus size={16} />} component={Link} to="new" data-testid="scheduled-jobs-create">
              New scheduled job
            </Button>
          )
        }
      />
      {toggle.error && <ApiErrorAlert error={toggle.error} title="Could not change the job" />}
      <QueryStates
        query={jobs}
        testId="scheduled-jobs"
        errorTitle="Could not load scheduled jobs"
        isEmpty={(data) => data.jobs.length === 0}
        empty={
          <EmptyList icon={<IconCalendarTime size={28} />} title="No scheduled jobs yet" description="Schedule an assembly to run on devices, sites or the whole fleet." testId="scheduled-jobs-empty" />
        }
      >
        {(data) => (
          <Card withBorder padding={0}>
            <Table highlightOnHover data-testid="scheduled-jobs-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Schedule</Table.Th>
                  <Table.Th>Next run</Table.Th>
                  <Table.Th>Last run</Table.Th>
                  <Table.Th>Enabled</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.jobs.map((job) => (
                  <Table.Tr key={job.id} style={{ cursor: 'pointer' }} onClick={() => void navigate(String(job.id))} data-testid="scheduled-job-row">
                    <Table.Td>
                      <Text fw={500}>{job.name}</Text>
                    </Table.Td>
                    <Table.Td>{describeSchedule(job.schedule)}</Table.Td>
                    <Table.Td>{job.next_occurrence_at ? formatDateTime(job.next_occurrence_at) : job.state === 'completed' ? 'Completed' : '—'}</Table.Td>
                    <Table.Td>{job.last_occurrence ? <StatusBadge status={job.last_occurrence.status} /> : <Text c="dimmed">Never</Text>}</Table.Td>
                    <Table.Td onClick={(e) => e.stopPropagation()}>
                      <Switch
                        checked={job.enabled}
                        disabled={!canManage || toggle.isPending}
                        onChange={(e) => toggle.mutate({ id: job.id, enabled: e.currentTarget.checked })}
                        aria-label={`Enable ${job.name}`}
                        data-testid="scheduled-job-enabled"
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Card>
        )}
      </QueryStates>
    </Stack>
  );
}
