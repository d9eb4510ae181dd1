// /filters: saved device filters (active, or archived with the toggle); open one to edit it, clone,
// archive or unarchive it, or delete it after a confirmation (refused while a scheduled job uses it).
import type { DeviceFilter } from '@borealis/protocol';
import { ActionIcon, Alert, Anchor, Badge, Button, Card, Menu, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { IconArchive, IconArchiveOff, IconCircleCheck, IconCopy, IconDots, IconFilter, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { isApiError } from '../../shared/api-client';
import { ConfirmDialog } from '../../shared/ConfirmDialog';
import { formatDateTime } from '../../shared/format-date-time';
import { EmptyList, QueryStates } from '../../shared/ListStates';
import { PageHeader } from '../../shared/PageHeader';
import { useCurrentUser } from '../auth/current-user';
import { describeCriteria, fromCriteria } from './criteria-builder';
import { cloneFilter, deleteFilter, setFilterArchived } from './filters-api';
import { FILTERS_KEY, useFilterList } from './filters-queries';

export const SITE_MODE_LABELS = { global: 'All sites', specific_sites: 'Chosen sites', global_exclusions: 'All sites except' } as const;

export function FiltersPage() {
  const me = useCurrentUser();
  const canEdit = me.role !== 'viewer';
  const [params, setParams] = useSearchParams();
  const isArchived = params.get('archived') === 'true';
  const filters = useFilterList(isArchived);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [notice, setNotice] = useState<string | null>(null);
  const [toDelete, setToDelete] = useState<DeviceFilter | null>(null);

  const refresh = () => void queryClient.invalidateQueries({ queryKey: FILTERS_KEY });
  const clone = useMutation({
    mutationFn: (filter: DeviceFilter) => cloneFilter(filter.id),
    onSuccess: (copy) => {
      refresh();
      void navigate(`/filters/${copy.id}`);
    },
  });
  const archive = useMutation({
    mutationFn: ({ filter, isArchiving }: { filter: DeviceFilter; isArchiving: boolean }) => setFilterArchived(filter.id, isArchiving),
    onSuccess: (filter) => {
      refresh();
      setNotice(filter.archived ? `“${filter.name}” was archived: it matches no device until it is unarchived.` : `“${filter.name}” is active again.`);
    },
  });
  const remove = useMutation({
    mutationFn: (filter: DeviceFilter) => deleteFilter(filter.id),
    onSuccess: () => {
      if (toDelete) setNotice(`“${toDelete.name}” was deleted.`);
      setToDelete(null);
      refresh();
    },
  });
  const actionError = clone.error ?? archive.error;
  const list = filters.data?.filters ?? [];

  return (
    <Stack gap="lg" maw={1300} data-testid="filters-page">
      <PageHeader
        title="Filters"
        description="Saved device filters: criteria on inventory, presence, software and metadata. Scheduled jobs and the devices list use them."
        actions={
          <>
            <SegmentedControl
              data={[
                { value: 'active', label: 'Active' },
                { value: 'archived', label: 'Archived' },
              ]}
              value={isArchived ? 'archived' : 'active'}
              onChange={(value) => setParams(value === 'archived' ? { archived: 'true' } : {}, { replace: true })}
              data-testid="filters-archived-toggle"
            />
            {canEdit && (
              <Button component={Link} to="/filters/new" leftSection={<IconPlus size={16} />} data-testid="filters-create">
                New filter
              </Button>
            )}
          </>
        }
      />
      {notice && (
        <Alert color="teal" variant="light" icon={<IconCircleCheck />} withCloseButton onClose={() => setNotice(null)} data-testid="filters-notice">
          {notice}
        </Alert>
      )}
      {actionError && (
        <Alert color="red" variant="light" data-testid="filters-action-error">
          {actionError.message}
        </Alert>
      )}

      <QueryStates
        query={filters}
        testId="filters"
        errorTitle="Could not load the filters"
        isEmpty={() => list.length === 0}
        empty={
          <EmptyList
            icon={<IconFilter size={28} stroke={1.5} />}
            title={isArchived ? 'No archived filters' : 'No filters yet'}
            description={
              isArchived
                ? 'Archived filters keep their criteria but match no device.'
                : 'A filter selects devices by their inventory, presence, software or metadata, for example every Ubuntu server with less than 10 % free disk.'
            }
            action={
              !isArchived &&
              canEdit && (
                <Button component={Link} to="/filters/new" leftSection={<IconPlus size={16} />}>
                  New filter
                </Button>
              )
            }
            testId="filters-empty"
          />
        }
      >
        {() => (
          <Card withBorder padding={0}>
            <Table.ScrollContainer minWidth={900}>
              <Table verticalSpacing="sm" highlightOnHover data-testid="filters-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Criteria</Table.Th>
                    <Table.Th>Sites</Table.Th>
                    <Table.Th>Updated</Table.Th>
                    {canEdit && <Table.Th w={48} aria-label="Actions" />}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((filter) => (
                    <Table.Tr key={filter.id} data-testid="filter-row" data-filter-name={filter.name}>
                      <Table.Td maw={280}>
                        <Anchor component={Link} to={`/filters/${filter.id}`} fw={500} size="sm" data-testid="filter-name">
                          {filter.name}
                        </Anchor>
                        {filter.description && (
                          <Text size="xs" c="dimmed" lineClamp={2}>
                            {filter.description}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td maw={480}>
                        <Text size="sm" lineClamp={2} ff="monospace" fz="xs">
                          {describeCriteria(fromCriteria(filter.criteria))}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Badge variant="light" tt="none" color="gray">
                          {SITE_MODE_LABELS[filter.site_mode]}
                          {filter.site_mode === 'global' ? '' : ` (${filter.site_ids.length})`}
                        </Badge>
                      </Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>
                        <Text size="sm">{formatDateTime(filter.updated_at)}</Text>
                        {filter.last_edited_by && (
                          <Text size="xs" c="dimmed">
                            by {filter.last_edited_by}
                          </Text>
                        )}
                      </Table.Td>
                      {canEdit && (
                        <Table.Td>
                          <Menu position="bottom-end" withinPortal shadow="md" width={200}>
                            <Menu.Target>
                              <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${filter.name}`} data-testid="filter-actions">
                                <IconDots size={18} />
                              </ActionIcon>
                            </Menu.Target>
                            <Menu.Dropdown>
                              <Menu.Item leftSection={<IconCopy size={16} />} onClick={() => clone.mutate(filter)} data-testid="filter-clone">
                                Clone
                              </Menu.Item>
                              <Menu.Item
                                leftSection={filter.archived ? <IconArchiveOff size={16} /> : <IconArchive size={16} />}
                                onClick={() => archive.mutate({ filter, isArchiving: !filter.archived })}
                                data-testid={filter.archived ? 'filter-unarchive' : 'filter-archive'}
                              >
                                {filter.archived ? 'Unarchive' : 'Archive'}
                              </Menu.Item>
                              <Menu.Divider />
                              <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={() => setToDelete(filter)} data-testid="filter-delete">
                                Delete
                              </Menu.Item>
                            </Menu.Dropdown>
                          </Menu>
                        </Table.Td>
                      )}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Card>
        )}
      </QueryStates>

      <ConfirmDialog
        opened={toDelete !== null}
        title="Delete this filter?"
        confirmLabel="Delete filter"
        onConfirm={() => toDelete && remove.mutate(toDelete)}
        onCancel={() => {
          setToDelete(null);
          remove.reset();
        }}
        isPending={remove.isPending}
        error={isApiError(remove.error, 'filter_in_use') ? new Error(`${remove.error.message} Archive it instead, or change those jobs first.`) : remove.error}
        testId="filter-delete-dialog"
      >
        {`“${toDelete?.name ?? ''}” is deleted for good. Scheduled jobs that target it would lose their targets, so the engine refuses while any uses it; archiving keeps it without matching.`}
      </ConfirmDialog>
    </Stack>
  );
}
