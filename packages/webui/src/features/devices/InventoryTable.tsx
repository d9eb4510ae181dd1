// A searchable, sortable table for one of a device's inventory lists (software, services,
// processes): columns declared once, search and sort done in the browser over the loaded rows.
import { Card, Group, Table, Text, TextInput, UnstyledButton } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconSearch, IconSelector } from '@tabler/icons-react';
import { type ReactNode, useMemo, useState } from 'react';
import { nextSort, type RowSort, searchRows, type SortValue, sortRows } from './table-rows';

export interface InventoryColumn<T> {
  readonly key: string;
  readonly label: string;
  readonly value: (row: T) => SortValue;
  readonly render?: (row: T) => ReactNode;
  readonly align?: 'right';
  readonly mono?: boolean;
}

export interface InventoryTableProps<T> {
  readonly rows: readonly T[];
  readonly columns: readonly InventoryColumn<T>[];
  readonly initialSort: RowSort;
  readonly rowKey: (row: T, index: number) => string;
  readonly noun: string;
  readonly testId: string;
}

/** Past this many matching rows only the first are drawn; the search narrows the rest. */
const MAX_SHOWN = 1_000;

export function InventoryTable<T>({ rows, columns, initialSort, rowKey, noun, testId }: InventoryTableProps<T>) {
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<RowSort>(initialSort);
  const shown = useMemo(() => {
    const textOf = (row: T) => columns.map((c) => String(c.value(row) ?? '')).join(' ');
    const valueOf = (row: T, key: string) => columns.find((c) => c.key === key)?.value(row);
    return sortRows(searchRows(rows, search, textOf), sort, valueOf);
  }, [rows, columns, search, sort]);

  return (
    <Card withBorder padding={0} data-testid={testId}>
      <Group justify="space-between" p="sm" gap="sm">
        <TextInput
          aria-label={`Search ${noun}`}
          placeholder={`Search ${noun}`}
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          w={320}
          data-testid={`${testId}-search`}
        />
        <Text size="sm" c="dimmed" data-testid={`${testId}-count`}>
          {shown.length === rows.length ? `${rows.length} ${noun}` : `${shown.length} of ${rows.length} ${noun}`}
        </Text>
      </Group>
      <Table.ScrollContainer minWidth={720}>
        <Table verticalSpacing={6} fz="sm" highlightOnHover stickyHeader data-testid={`${testId}-table`}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((column) => {
                const direction = sort.key === column.key ? sort.direction : null;
                return (
                  <Table.Th key={column.key} ta={column.align} aria-sort={direction === 'asc' ? 'ascending' : direction === 'desc' ? 'descending' : undefined}>
                    <UnstyledButton onClick={() => setSort((current) => nextSort(current, column.key))} data-testid={`${testId}-sort-${column.key}`}>
                      <Group gap={4} wrap="nowrap" justify={column.align === 'right' ? 'flex-end' : undefined}>
                        <Text size="sm" fw={600}>
                          {column.label}
                        </Text>
                        {direction === 'asc' ? <IconArrowUp size={14} /> : direction === 'desc' ? <IconArrowDown size={14} /> : <IconSelector size={14} />}
                      </Group>
                    </UnstyledButton>
                  </Table.Th>
                );
              })}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.slice(0, MAX_SHOWN).map((row, index) => (
              <Table.Tr key={rowKey(row, index)} data-testid={`${testId}-row`}>
                {columns.map((column) => (
                  <Table.Td key={column.key} ta={column.align} ff={column.mono ? 'monospace' : undefined}>
                    {column.render ? column.render(row) : (column.value(row) ?? '—')}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {shown.length === 0 && (
        <Text size="sm" c="dimmed" p="md" ta="center">
          Nothing matches “{search}”.
        </Text>
      )}
      {shown.length > MAX_SHOWN && (
        <Text size="sm" c="dimmed" p="md" ta="center">
          Showing the first {MAX_SHOWN} of {shown.length}; search to narrow.
        </Text>
      )}
    </Card>
  );
}
