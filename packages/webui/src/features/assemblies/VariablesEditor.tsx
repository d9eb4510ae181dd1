// The variables form of an assembly (automation.md §1.6): name, label, type, default, required and
// description per row, with the environment key each name becomes on the device.
import { ActionIcon, Button, Checkbox, Code, Group, Select, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { envKeyOf, rowKey, type VariableRow, type VariableType } from './assembly-form';

const TYPES: Array<{ value: VariableType; label: string }> = [
  { value: 'string', label: 'Text' },
  { value: 'number', label: 'Number' },
  { value: 'boolean', label: 'Yes/No' },
  { value: 'credential', label: 'Credential (later)' },
];

export interface VariablesEditorProps {
  readonly rows: readonly VariableRow[];
  readonly onChange?: (rows: VariableRow[]) => void;
  readonly readOnly?: boolean;
}

export function VariablesEditor({ rows, onChange, readOnly = false }: VariablesEditorProps) {
  const update = (key: string, patch: Partial<VariableRow>) => onChange?.(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const add = () => onChange?.([...rows, { key: rowKey(), name: '', label: '', type: 'string', defaultText: '', required: false, description: '' }]);
  const keys = rows.map((r) => envKeyOf(r.name));

  return (
    <Stack gap="xs" data-testid="variables-editor">
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="variables-empty">
          No variables. Scripts read each variable as an environment variable; BOREALIS_JOB_ID, BOREALIS_HOSTNAME and the other BOREALIS_* values are always set.
        </Text>
      ) : (
        <Table verticalSpacing={6} horizontalSpacing="xs" withRowBorders={false}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w="20%">Name</Table.Th>
              <Table.Th w="18%">Label</Table.Th>
              <Table.Th w="13%">Type</Table.Th>
              <Table.Th w="16%">Default</Table.Th>
              <Table.Th w={80}>Required</Table.Th>
              <Table.Th>Description</Table.Th>
              {!readOnly && <Table.Th w={40} />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row, index) => {
              const key = keys[index]!;
              const clash = key !== '' && keys.indexOf(key) !== index;
              const reserved = key.startsWith('BOREALIS_');
              return (
                <Table.Tr key={row.key} data-testid="variable-row">
                  <Table.Td>
                    <TextInput
                      size="xs"
                      value={row.name}
                      readOnly={readOnly}
                      onChange={(e) => update(row.key, { name: e.currentTarget.value })}
                      error={reserved ? 'BOREALIS_* is reserved' : clash ? 'Same key as another variable' : undefined}
                      description={row.name && !reserved && !clash ? <Code fz={10}>${key}</Code> : undefined}
                      aria-label="Variable name"
                      data-testid="variable-name"
                    />
                  </Table.Td>
                  <Table.Td>
                    <TextInput size="xs" value={row.label} readOnly={readOnly} onChange={(e) => update(row.key, { label: e.currentTarget.value })} aria-label="Label" />
                  </Table.Td>
                  <Table.Td>
                    <Select size="xs" data={TYPES} value={row.type} readOnly={readOnly} allowDeselect={false} onChange={(v) => v && update(row.key, { type: v as VariableType })} aria-label="Type" />
                  </Table.Td>
                  <Table.Td>
                    {row.type === 'boolean' ? (
                      <Select
                        size="xs"
                        data={[
                          { value: '', label: '(none)' },
                          { value: 'true', label: 'Yes' },
                          { value: 'false', label: 'No' },
                        ]}
                        value={row.defaultText === '' ? '' : ['true', '1', 'yes', 'on'].includes(row.defaultText.toLowerCase()) ? 'true' : 'false'}
                        readOnly={readOnly}
                        onChange={(v) => update(row.key, { defaultText: v ?? '' })}
                        aria-label="Default"
                      />
                    ) : (
                      <TextInput
                        size="xs"
                        value={row.defaultText}
                        readOnly={readOnly}
                        inputMode={row.type === 'number' ? 'decimal' : undefined}
                        error={row.type === 'number' && row.defaultText.trim() !== '' && !Number.isFinite(Number(row.defaultText)) ? 'Not a number' : undefined}
                        onChange={(e) => update(row.key, { defaultText: e.currentTarget.value })}
                        aria-label="Default"
                      />
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Checkbox checked={row.required} disabled={readOnly} onChange={(e) => update(row.key, { required: e.currentTarget.checked })} aria-label="Required" />
                  </Table.Td>
                  <Table.Td>
                    <TextInput size="xs" value={row.description} readOnly={readOnly} onChange={(e) => update(row.key, { description: e.currentTarget.value })} aria-label="Description" />
                  </Table.Td>
                  {!readOnly && (
                    <Table.Td>
                      <Tooltip label="Remove variable">
                        <ActionIcon variant="subtle" color="red" onClick={() => onChange?.(rows.filter((r) => r.key !== row.key))} aria-label="Remove variable">
                          <IconTrash size={16} />
                        </ActionIcon>
                      </Tooltip>
                    </Table.Td>
                  )}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      {!readOnly && (
        <Group>
          <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={add} disabled={rows.length >= 64} data-testid="variable-add">
            Add variable
          </Button>
        </Group>
      )}
    </Stack>
  );
}
