// The metadata fields of one device: the ones with a value by default, all 500 on request; operators
// edit a value in place (blank clears it). Fields 1-10 belong to the engine and are read-only.
import { type DeviceMetadataValue, METADATA_VALUE_MAX, RESERVED_METADATA_FIELDS } from '@borealis/protocol';
import { ActionIcon, Badge, Button, Card, Group, Stack, Switch, Table, Text, Textarea, TextInput, Tooltip } from '@mantine/core';
import { IconPencil, IconSearch, IconTags } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { ApiErrorAlert } from '../../shared/ApiErrorAlert';
import { formatDateTime } from '../../shared/format-date-time';
import { formatRelative } from '../../shared/format-relative';
import { EmptyList, LoadError, TableSkeleton } from '../../shared/ListStates';
import { retryNetworkOnce } from '../../shared/query-retry';
import { FILTERS_KEY } from '../filters/filters-queries';
import { DEVICES_KEY } from './devices-queries';
import { getDeviceMetadata, setDeviceMetadata, setMetadataLabel } from './metadata-api';
import { searchRows } from './table-rows';

export interface MetadataTabProps {
  readonly guid: string;
  readonly canEdit: boolean;
  /** Admins also name fields; a label applies to every device. */
  readonly canLabel: boolean;
  readonly now: number;
}

export function MetadataTab({ guid, canEdit, canLabel, now }: MetadataTabProps) {
  const key = [...DEVICES_KEY, 'metadata', guid.toUpperCase()];
  const metadata = useQuery({ queryKey: key, queryFn: ({ signal }) => getDeviceMetadata(guid, { signal }), retry: retryNetworkOnce });
  const [isShowingAll, setIsShowingAll] = useState(false);
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<number | null>(null);

  const rows = useMemo(() => {
    const fields = metadata.data?.fields ?? [];
    const visible = isShowingAll ? fields : fields.filter((f) => f.value !== '');
    return searchRows(visible, search, (f) => `${f.field_number} ${f.label ?? ''} ${f.value}`);
  }, [metadata.data, isShowingAll, search]);

  if (metadata.isPending) return <TableSkeleton rows={6} testId="device-metadata-loading" />;
  if (metadata.isError) {
    return (
      <LoadError title="Could not load the metadata fields" error={metadata.error} onRetry={() => void metadata.refetch()} isRetrying={metadata.isFetching} testId="device-metadata-error" />
    );
  }
  const setCount = metadata.data.fields.filter((f) => f.value !== '').length;

  return (
    <Card withBorder padding={0} data-testid="device-metadata">
      <Group justify="space-between" p="sm" gap="sm">
        <Group gap="sm">
          <TextInput
            aria-label="Search metadata fields"
            placeholder="Search number, label or value"
            leftSection={<IconSearch size={16} />}
            value={search}
            onChange={(event) => setSearch(event.currentTarget.value)}
            w={280}
            data-testid="device-metadata-search"
          />
          <Switch
            label="Show all 500 fields"
            checked={isShowingAll}
            onChange={(event) => setIsShowingAll(event.currentTarget.checked)}
            data-testid="device-metadata-show-all"
          />
        </Group>
        <Text size="sm" c="dimmed">
          {setCount} field{setCount === 1 ? '' : 's'} set
        </Text>
      </Group>
      {rows.length === 0 ? (
        <EmptyList
          icon={<IconTags size={28} stroke={1.5} />}
          title={search ? 'No field matches' : 'No metadata set'}
          description={
            search
              ? 'Try another search.'
              : 'Metadata fields hold free text about a device (owner, asset tag, contract). Show all 500 fields to set one; filters can match on them.'
          }
          testId="device-metadata-empty"
        />
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table verticalSpacing={6} fz="sm" highlightOnHover data-testid="device-metadata-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={70}>Field</Table.Th>
                <Table.Th w={200}>Label</Table.Th>
                <Table.Th>Value</Table.Th>
                <Table.Th w={160}>Changed</Table.Th>
                {canEdit && <Table.Th w={48} aria-label="Edit" />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.slice(0, 500).map((field) =>
                editing === field.field_number ? (
                  <Table.Tr key={field.field_number}>
                    <Table.Td colSpan={canEdit ? 5 : 4}>
                      <EditValue guid={guid} field={field} canLabel={canLabel} onDone={() => setEditing(null)} />
                    </Table.Td>
                  </Table.Tr>
                ) : (
                  <Table.Tr key={field.field_number} data-testid="metadata-row" data-field={field.field_number}>
                    <Table.Td ff="monospace">{String(field.field_number).padStart(3, '0')}</Table.Td>
                    <Table.Td>
                      <Text size="sm" c={field.label ? undefined : 'dimmed'}>
                        {field.label ?? 'No label'}
                      </Text>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="metadata-value">
                      {field.value || <Text span size="sm" c="dimmed">—</Text>}
                    </Table.Td>
                    <Table.Td>
                      {field.modified_at ? (
                        <Tooltip label={`${formatDateTime(field.modified_at)}${field.actor ? ` by ${field.actor}` : ''}`} withArrow>
                          <Group gap={4} wrap="nowrap">
                            <Text size="sm">{formatRelative(field.modified_at, now)}</Text>
                            {field.source === 'agent' && (
                              <Badge size="xs" variant="default" tt="none">
                                agent
                              </Badge>
                            )}
                          </Group>
                        </Tooltip>
                      ) : (
                        <Text size="sm" c="dimmed">—</Text>
                      )}
                    </Table.Td>
                    {canEdit && (
                      <Table.Td>
                        {field.field_number > RESERVED_METADATA_FIELDS ? (
                          <ActionIcon
                            variant="subtle"
                            color="gray"
                            aria-label={`Edit field ${field.field_number}`}
                            onClick={() => setEditing(field.field_number)}
                            data-testid="metadata-edit"
                          >
                            <IconPencil size={16} />
                          </ActionIcon>
                        ) : (
                          <Tooltip label="Reserved for the engine" withArrow>
                            <Badge size="xs" variant="default" tt="none">
                              reserved
                            </Badge>
                          </Tooltip>
                        )}
                      </Table.Td>
                    )}
                  </Table.Tr>
                ),
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}

interface EditValueProps {
  readonly guid: string;
  readonly field: DeviceMetadataValue;
  readonly canLabel: boolean;
  readonly onDone: () => void;
}

function EditValue({ guid, field, canLabel, onDone }: EditValueProps) {
  const queryClient = useQueryClient();
  const [value, setValue] = useState(field.value);
  const [label, setLabel] = useState(field.label ?? '');
  const save = useMutation({
    mutationFn: async () => {
      if (canLabel && label.trim() !== (field.label ?? '')) await setMetadataLabel(field.field_number, label);
      if (value !== field.value) await setDeviceMetadata(guid, field.field_number, value);
    },
    onSuccess: () => {
      // A label is shared: every device's list and the filter editor's field picker show it.
      void queryClient.invalidateQueries({ queryKey: [...DEVICES_KEY, 'metadata'] });
      void queryClient.invalidateQueries({ queryKey: FILTERS_KEY });
      onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate data-testid="metadata-edit-form">
      <Stack gap="xs">
        {canLabel && (
          <TextInput
            label="Label (the same for every device)"
            value={label}
            onChange={(event) => setLabel(event.currentTarget.value)}
            maxLength={128}
            w={320}
            data-testid="metadata-label-input"
          />
        )}
        <Textarea
          label={`Field ${String(field.field_number).padStart(3, '0')}${field.label ? ` · ${field.label}` : ''}`}
          description="Plain text; leave blank to clear."
          value={value}
          onChange={(event) => setValue(event.currentTarget.value)}
          maxLength={METADATA_VALUE_MAX}
          autosize
          minRows={1}
          maxRows={6}
          data-autofocus
          autoFocus
          data-testid="metadata-value-input"
        />
        <ApiErrorAlert error={save.error} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" size="xs" onClick={onDone} disabled={save.isPending}>
            Cancel
          </Button>
          <Button size="xs" type="submit" loading={save.isPending} data-testid="metadata-save">
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
