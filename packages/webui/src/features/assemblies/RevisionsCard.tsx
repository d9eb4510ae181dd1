// The revision history of an assembly (automation.md §1.3): who saved what and when, each one
// viewable, and any older one restorable as a new revision.
import type { Assembly } from '@borealis/protocol';
import { Badge, Button, Card, Code, Group, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { IconHistory } from '@tabler/icons-react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { formatDateTime } from '../../shared/format-date-time';
import { getRevision, restoreRevision } from './assemblies-api';
import { useRevisions } from './assemblies-queries';
import { scriptText } from './assembly-form';
import { ScriptEditor } from './ScriptEditor';

export interface RevisionsCardProps {
  readonly assembly: Assembly;
  readonly canRestore: boolean;
  readonly onRestored: (assembly: Assembly) => void;
}

export function RevisionsCard({ assembly, canRestore, onRestored }: RevisionsCardProps) {
  const revisions = useRevisions(assembly.assembly_guid);
  const [viewing, setViewing] = useState<number | null>(null);
  const shown = useQuery({
    queryKey: ['assemblies', 'revision', assembly.assembly_guid, viewing],
    queryFn: ({ signal }) => getRevision(assembly.assembly_guid, viewing!, { signal }),
    enabled: viewing !== null,
  });
  const restore = useMutation({
    mutationFn: (n: number) => restoreRevision(assembly.assembly_guid, n, assembly.revision),
    onSuccess: (restored) => {
      setViewing(null);
      onRestored(restored);
    },
  });

  return (
    <Card withBorder padding="lg" data-testid="assembly-revisions">
      <Stack gap="sm">
        <Group gap="xs">
          <IconHistory size={18} />
          <Title order={4}>Revisions</Title>
        </Group>
        <Text size="sm" c="dimmed">
          Every save that changes the content is kept (the last 50, plus any a job still names). Jobs record the revision and content hash they ran.
        </Text>
        <ApiErrorAlert error={revisions.error ?? restore.error} />
        <Table verticalSpacing={6}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Revision</Table.Th>
              <Table.Th>Saved</Table.Th>
              <Table.Th>By</Table.Th>
              <Table.Th>Note</Table.Th>
              <Table.Th>Content hash</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(revisions.data?.items ?? []).map((r) => (
              <Table.Tr key={r.revision} data-testid="revision-row" data-revision={r.revision}>
                <Table.Td>
                  <Group gap={6}>
                    <Text size="sm" fw={500}>
                      r{r.revision}
                    </Text>
                    {r.current && (
                      <Badge size="xs" color="teal" variant="light">
                        current
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDateTime(r.created_at)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{r.created_by_name ?? (assembly.read_only ? 'engine' : '—')}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c={r.change_note ? undefined : 'dimmed'}>
                    {r.change_note ?? '—'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Code fz={11}>{r.content_hash.slice(0, 12)}…</Code>
                </Table.Td>
                <Table.Td>
                  <Group gap={4} justify="flex-end">
                    <Button size="compact-xs" variant="subtle" onClick={() => setViewing(r.revision)} data-testid="revision-view">
                      View
                    </Button>
                    {canRestore && !r.current && (
                      <Button size="compact-xs" variant="light" loading={restore.isPending && restore.variables === r.revision} onClick={() => restore.mutate(r.revision)} data-testid="revision-restore">
                        Restore
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Stack>
      <Modal opened={viewing !== null} onClose={() => setViewing(null)} title={`Revision ${viewing ?? ''}`} size="xl" data-testid="revision-dialog">
        {shown.data && <ScriptEditor value={scriptText(shown.data.payload)} readOnly minRows={10} testId="revision-script" />}
        <ApiErrorAlert error={shown.error} />
      </Modal>
    </Card>
  );
}
