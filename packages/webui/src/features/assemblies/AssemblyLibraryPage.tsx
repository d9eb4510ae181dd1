// /assemblies: the library. Official (bundled, read-only) and My assemblies tabs, search, the
// revision and content hash of each, and clone / export / delete from the row.
import type { AssemblySummary } from '@borealis/protocol';
import { ActionIcon, Alert, Badge, Button, Card, Code, Group, Menu, Stack, Table, Tabs, Text, TextInput, Tooltip } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconCircleCheck, IconCopy, IconDots, IconDownload, IconFileImport, IconLock, IconPlus, IconScript, IconSearch, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ConfirmDialog } from '../../shared/ConfirmDialog';
import { EmptyList, QueryStates } from '../../shared/ListStates';
import { PageHeader } from '../../shared/PageHeader';
import { isApiError } from '../../shared/api-client';
import { useCurrentUser } from '../auth/current-user';
import { type AssemblyTab, cloneAssembly, deleteAssembly, exportAssembly } from './assemblies-api';
import { ASSEMBLIES_KEY, useAssemblyList } from './assemblies-queries';
import { downloadJson, fileNameOf } from './download-json';
import { ImportDialog } from './ImportDialog';

export function AssemblyLibraryPage() {
  const me = useCurrentUser();
  const canEdit = me.role !== 'viewer';
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const tab: AssemblyTab = params.get('tab') === 'user' ? 'user' : 'official';
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 250);
  const list = useAssemblyList(tab, q);
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const [toDelete, setToDelete] = useState<AssemblySummary | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ASSEMBLIES_KEY });

  const clone = useMutation({
    mutationFn: (a: AssemblySummary) => cloneAssembly(a.assembly_guid),
    onSuccess: (copy) => {
      refresh();
      void navigate(`/assemblies/${copy.assembly_guid}`);
    },
  });
  const remove = useMutation({
    mutationFn: (a: AssemblySummary) => deleteAssembly(a.assembly_guid),
    onSuccess: (_none, a) => {
      setToDelete(null);
      setNotice(`${a.display_name} was deleted.`);
      refresh();
    },
  });
  const exportOne = async (a: AssemblySummary) => downloadJson(fileNameOf(a.display_name, a.revision), await exportAssembly(a.assembly_guid));
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Stack gap="lg" maw={1300} data-testid="assemblies-page">
      <PageHeader
        title="Assemblies"
        description="Scripts the engine signs for each device at dispatch. Official ones ship with the engine and are read-only: clone one to change it."
        actions={
          canEdit && (
            <>
              <Button variant="default" leftSection={<IconFileImport size={16} />} onClick={() => setImporting(true)} data-testid="assemblies-import">
                Import
              </Button>
              <Button leftSection={<IconPlus size={16} />} onClick={() => void navigate('/assemblies/new')} data-testid="assemblies-create">
                New assembly
              </Button>
            </>
          )
        }
      />
      {notice && (
        <Alert color="teal" variant="light" icon={<IconCircleCheck />} withCloseButton onClose={() => setNotice(null)} data-testid="assemblies-notice">
          {notice}
        </Alert>
      )}
      <Group justify="space-between" align="flex-end">
        <Tabs value={tab} onChange={(v) => setParams(v === 'user' ? { tab: 'user' } : {})}>
          <Tabs.List>
            <Tabs.Tab value="official" leftSection={<IconLock size={14} />} data-testid="assemblies-tab-official">
              Official
            </Tabs.Tab>
            <Tabs.Tab value="user" leftSection={<IconScript size={14} />} data-testid="assemblies-tab-user">
              My assemblies
            </Tabs.Tab>
          </Tabs.List>
        </Tabs>
        <TextInput w={320} leftSection={<IconSearch size={16} />} placeholder="Search name or summary" value={search} onChange={(e) => setSearch(e.currentTarget.value)} data-testid="assemblies-search" />
      </Group>

      <QueryStates
        query={list}
        testId="assemblies"
        errorTitle="Could not load the assemblies"
        isEmpty={() => rows.length === 0}
        empty={
          <EmptyList
            icon={<IconScript size={28} stroke={1.5} />}
            title={q ? 'Nothing matches' : tab === 'user' ? 'No assemblies of your own yet' : 'No official assemblies'}
            description={q ? 'Try another search.' : tab === 'user' ? 'Clone an official assembly, import one, or write a new one.' : 'The engine seeds them at start.'}
            testId="assemblies-empty"
          />
        }
      >
        {() => (
          <Card withBorder padding={0}>
            <Table highlightOnHover verticalSpacing="sm" data-testid="assemblies-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Platforms</Table.Th>
                  <Table.Th>Variables</Table.Th>
                  <Table.Th>Revision</Table.Th>
                  <Table.Th>Content hash · signature</Table.Th>
                  <Table.Th w={60} />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((a) => (
                  <Table.Tr key={a.assembly_guid} style={{ cursor: 'pointer' }} onClick={() => void navigate(`/assemblies/${a.assembly_guid}`)} data-testid="assembly-row" data-name={a.display_name}>
                    <Table.Td>
                      <Group gap={6}>
                        <Text fw={500} size="sm">
                          {a.display_name}
                        </Text>
                        {a.read_only && (
                          <Badge size="xs" variant="light" color="gray" leftSection={<IconLock size={10} />}>
                            Official
                          </Badge>
                        )}
                      </Group>
                      {a.summary && (
                        <Text size="xs" c="dimmed" lineClamp={1}>
                          {a.summary}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{a.platforms.join(', ')}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{a.variable_count}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="outline" size="sm" data-testid="assembly-row-revision">
                        r{a.revision}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Tooltip label={`SHA-256 ${a.content_hash}; the engine signs each dispatch with its Ed25519 key and agents verify it before running`} multiline w={340}>
                        <Group gap={6} wrap="nowrap">
                          <Code fz={11}>{a.content_hash.slice(0, 12)}…</Code>
                          <Badge size="xs" color="teal" variant="light">
                            signed per dispatch
                          </Badge>
                        </Group>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td onClick={(e) => e.stopPropagation()}>
                      <Menu position="bottom-end" withinPortal>
                        <Menu.Target>
                          <ActionIcon variant="subtle" aria-label="Actions" data-testid="assembly-row-actions">
                            <IconDots size={16} />
                          </ActionIcon>
                        </Menu.Target>
                        <Menu.Dropdown>
                          {canEdit && (
                            <Menu.Item leftSection={<IconCopy size={14} />} onClick={() => clone.mutate(a)} data-testid="assembly-action-clone">
                              Clone to My assemblies
                            </Menu.Item>
                          )}
                          <Menu.Item leftSection={<IconDownload size={14} />} onClick={() => void exportOne(a)} data-testid="assembly-action-export">
                            Export
                          </Menu.Item>
                          {canEdit && !a.read_only && (
                            <Menu.Item color="red" leftSection={<IconTrash size={14} />} onClick={() => setToDelete(a)} data-testid="assembly-action-delete">
                              Delete…
                            </Menu.Item>
                          )}
                        </Menu.Dropdown>
                      </Menu>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {list.hasNextPage && (
              <Group justify="center" p="sm">
                <Button variant="subtle" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
                  Load more
                </Button>
              </Group>
            )}
          </Card>
        )}
      </QueryStates>

      <ImportDialog
        opened={importing}
        onClose={() => setImporting(false)}
        onImported={(a, outcome) => {
          setImporting(false);
          setNotice(`${a.display_name} was imported (${outcome.replace('_', ' ')}, revision ${a.revision}).`);
          refresh();
          setParams({ tab: 'user' });
        }}
      />
      <ConfirmDialog
        opened={toDelete !== null}
        title="Delete this assembly?"
        confirmLabel="Delete"
        onConfirm={() => toDelete && remove.mutate(toDelete)}
        onCancel={() => {
          setToDelete(null);
          remove.reset();
        }}
        isPending={remove.isPending}
        error={isApiError(remove.error, 'assembly_in_use') ? new Error(`Still in use: ${remove.error.message}. Remove it from those scheduled jobs first.`) : remove.error}
        testId="assembly-delete-dialog"
      >
        {`${toDelete?.display_name ?? ''} and all its revisions will be deleted. Job history keeps what ran.`}
      </ConfirmDialog>
      {clone.isError && <Alert color="red">{clone.error.message}</Alert>}
    </Stack>
  );
}
