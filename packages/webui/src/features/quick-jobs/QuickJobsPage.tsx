// /quick-jobs: quick jobs in my scope, newest first, with their counts; operators can start one on
// host names typed here (the device pages start them on selected devices).
import { Anchor, Button, Card, Group, Stack, Table, TagsInput, Text } from '@mantine/core';
import { IconPlayerPlay } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { formatDateTime } from '../../shared/format-date-time';
import { EmptyList, QueryStates } from '../../shared/ListStates';
import { PageHeader } from '../../shared/PageHeader';
import { useCurrentUser } from '../auth/current-user';
import { QuickJobLauncher } from './QuickJobLauncher';
import { useQuickJobs } from './quick-jobs-queries';
import { QuickJobCountBadges } from './QuickJobStatusBadge';

export function QuickJobsPage() {
  const me = useCurrentUser();
  const jobs = useQuickJobs();
  const [hosts, setHosts] = useState<string[]>([]);
  const [launching, setLaunching] = useState(false);
  const rows = jobs.data?.pages.flatMap((p) => p.quick_jobs) ?? [];

  return (
    <Stack gap="lg" maw={1400} data-testid="quick-jobs-page">
      <PageHeader title="Quick jobs" description="Scripts run now on devices, with each device's result. Offline devices get the job when they reconnect, until it expires." />
      {me.role !== 'viewer' && (
        <Group align="flex-end">
          <TagsInput label="Host names" placeholder="Type a host name and press Enter" value={hosts} onChange={setHosts} w={480} data-testid="quick-jobs-hosts" />
          <Button leftSection={<IconPlayerPlay size={16} />} disabled={!hosts.length} onClick={() => setLaunching(true)} data-testid="quick-jobs-new">
            Run script…
          </Button>
          <QuickJobLauncher opened={launching} onClose={() => setLaunching(false)} targets={{ hostnames: hosts }} targetLabel={hosts.length === 1 ? hosts[0]! : `${hosts.length} devices`} />
        </Group>
      )}
      <QueryStates
        query={jobs}
        testId="quick-jobs"
        errorTitle="Could not load quick jobs"
        isEmpty={() => rows.length === 0}
        empty={
          <EmptyList icon={<IconPlayerPlay size={28} stroke={1.5} />} title="No quick jobs yet" description="Run a script on devices from here or from a device's page." testId="quick-jobs-empty" />
        }
      >
        {() => (
          <Card withBorder padding={0}>
            <Table striped highlightOnHover data-testid="quick-jobs-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Script</Table.Th>
                  <Table.Th>Started</Table.Th>
                  <Table.Th>By</Table.Th>
                  <Table.Th>Targets</Table.Th>
                  <Table.Th>Status</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((job) => (
                  <Table.Tr key={job.quick_job_id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/quick-jobs/${job.quick_job_id}`}>
                        {job.script_name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{formatDateTime(job.created_at)}</Table.Td>
                    <Table.Td>{job.created_by_name}</Table.Td>
                    <Table.Td>{job.target_count}</Table.Td>
                    <Table.Td>
                      {job.finished_at === null ? <Text size="sm">Running…</Text> : null}
                      <QuickJobCountBadges counts={job.counts} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {jobs.hasNextPage && (
              <Button variant="subtle" m="sm" onClick={() => void jobs.fetchNextPage()} loading={jobs.isFetchingNextPage}>
                Load more
              </Button>
            )}
          </Card>
        )}
      </QueryStates>
    </Stack>
  );
}
