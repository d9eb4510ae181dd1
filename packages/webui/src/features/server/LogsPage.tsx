// The Logs area (admin): log files per service, a viewer of the last lines with a text filter,
// a line limit and follow (refresh every 3 s).
import { Badge, Button, Card, Code, Group, NumberInput, ScrollArea, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useLogEntries, useLogList } from './use-server-admin';

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

export function LogsPage() {
  const list = useLogList();
  const [selected, setSelected] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [limit, setLimit] = useState(500);
  const [follow, setFollow] = useState(false);
  const entries = useLogEntries(selected, { filter, limit, follow });
  return (
    <Stack gap="lg" maw={1300}>
      <div>
        <Title order={2}>Logs</Title>
        <Text size="sm" c="dimmed">
          {list.data ? `${list.data.log_root} · rolled files are kept ${list.data.default_retention_days} days unless set per file` : 'Log files of every engine service.'}
        </Text>
      </div>
      {list.isError && <Text c="red">{list.error.message}</Text>}
      <Group align="flex-start" wrap="nowrap" gap="lg">
        <Card withBorder padding="sm" w={420} data-testid="log-files">
          <Table highlightOnHover>
            <Table.Thead><Table.Tr><Table.Th>File</Table.Th><Table.Th>Size</Table.Th><Table.Th>Modified</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {(list.data?.logs ?? []).map((l) => (
                <Table.Tr key={l.name} onClick={() => setSelected(l.name)} style={{ cursor: 'pointer' }} bg={l.name === selected ? 'var(--mantine-color-blue-light)' : undefined} data-testid={`log-file-${l.name}`}>
                  <Table.Td><Text size="xs" c="dimmed">{l.service}</Text><Text size="sm">{l.file}</Text></Table.Td>
                  <Table.Td><Text size="sm">{kb(l.size_bytes)}</Text></Table.Td>
                  <Table.Td><Text size="xs">{new Date(l.modified).toLocaleString()}</Text><Badge size="xs" variant="outline">{l.retention_days} d</Badge></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
        <Card withBorder padding="sm" style={{ flex: 1, minWidth: 0 }}>
          <Group gap="sm" mb="sm">
            <TextInput placeholder="Filter text" aria-label="Filter" value={filter} onChange={(e) => setFilter(e.currentTarget.value)} />
            <NumberInput aria-label="Lines" w={110} min={1} max={5000} value={limit} onChange={(v) => setLimit(typeof v === 'number' && v > 0 ? v : 500)} />
            <Switch label="Follow" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} />
            <Button size="xs" variant="default" onClick={() => { void entries.refetch(); void list.refetch(); }} disabled={!selected}>Refresh</Button>
          </Group>
          {selected === null ? (
            <Text c="dimmed" size="sm">Pick a file.</Text>
          ) : entries.isError ? (
            <Text c="red">{entries.error.message}</Text>
          ) : (
            <>
              <Text size="xs" c="dimmed" mb="xs">
                {selected}: {entries.data?.returned_lines ?? 0} of {entries.data?.total_lines ?? 0} lines{entries.data?.truncated ? ' (older lines not shown)' : ''}
              </Text>
              <ScrollArea h={600}>
                <Code block data-testid="log-entries" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                  {(entries.data?.entries ?? []).join('\n')}
                </Code>
              </ScrollArea>
            </>
          )}
        </Card>
      </Group>
    </Stack>
  );
}
