// The criteria editor: groups of conditions with field, operator and value pickers built from
// GET /api/device_filters/metadata. Joins fold strictly left to right, which the summary line shows.
import type { DeviceFilterEditorMetadata } from '@borealis/protocol';
import { ActionIcon, Badge, Button, Card, Checkbox, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconX } from '@tabler/icons-react';
import {
  addCondition,
  addGroup,
  type CriteriaState,
  type EditorCondition,
  type EditorGroup,
  type Join,
  MAX_CONDITIONS,
  MAX_GROUPS,
  removeCondition,
  setGroupJoin,
  updateCondition,
} from './criteria-builder';

type FieldInfo = DeviceFilterEditorMetadata['fields'][number];

export interface CriteriaEditorProps {
  readonly state: CriteriaState;
  readonly onChange: (state: CriteriaState) => void;
  readonly metadata: DeviceFilterEditorMetadata;
  readonly isReadOnly?: boolean;
}

const JOINS = [
  { value: 'AND', label: 'AND' },
  { value: 'OR', label: 'OR' },
];

export function CriteriaEditor({ state, onChange, metadata, isReadOnly = false }: CriteriaEditorProps) {
  const operatorsOf = (field: string) => metadata.fields.find((f) => f.field === field)?.operators ?? [];
  return (
    <Stack gap="sm" data-testid="criteria-editor">
      {state.groups.length === 0 && (
        <Text size="sm" c="dimmed" data-testid="criteria-empty">
          No conditions: this filter matches every device in its sites.
        </Text>
      )}
      {state.groups.map((group, index) => (
        <GroupCard
          key={group.key}
          group={group}
          index={index}
          metadata={metadata}
          isReadOnly={isReadOnly}
          onJoin={(join) => onChange(setGroupJoin(state, group.key, join))}
          onAddCondition={() => onChange(addCondition(state, group.key))}
          onRemove={(conditionKey) => onChange(removeCondition(state, group.key, conditionKey))}
          onUpdate={(conditionKey, patch) => onChange(updateCondition(state, group.key, conditionKey, patch, operatorsOf))}
        />
      ))}
      {!isReadOnly && (
        <Group>
          <Button
            variant="light"
            leftSection={<IconPlus size={16} />}
            onClick={() => onChange(addGroup(state))}
            disabled={state.groups.length >= MAX_GROUPS}
            data-testid="criteria-add-group"
          >
            Add group
          </Button>
        </Group>
      )}
    </Stack>
  );
}

interface GroupCardProps {
  readonly group: EditorGroup;
  readonly index: number;
  readonly metadata: DeviceFilterEditorMetadata;
  readonly isReadOnly: boolean;
  readonly onJoin: (join: Join) => void;
  readonly onAddCondition: () => void;
  readonly onRemove: (conditionKey: number) => void;
  readonly onUpdate: (conditionKey: number, patch: Partial<Omit<EditorCondition, 'key'>>) => void;
}

function GroupCard({ group, index, metadata, isReadOnly, onJoin, onAddCondition, onRemove, onUpdate }: GroupCardProps) {
  return (
    <>
      {index > 0 && (
        <Group gap="xs">
          <Select
            aria-label={`How group ${index + 1} joins the groups before it`}
            data={JOINS}
            value={group.join_with}
            onChange={(value) => onJoin(value === 'AND' ? 'AND' : 'OR')}
            w={90}
            size="xs"
            disabled={isReadOnly}
            allowDeselect={false}
            data-testid="criteria-group-join"
          />
          <Text size="xs" c="dimmed">
            with everything above
          </Text>
        </Group>
      )}
      <Card withBorder padding="sm" data-testid="criteria-group">
        <Stack gap="xs">
          <Badge variant="default" tt="none" size="sm">
            Group {index + 1}
          </Badge>
          {group.conditions.map((condition, position) => (
            <ConditionRow
              key={condition.key}
              condition={condition}
              position={position}
              metadata={metadata}
              isReadOnly={isReadOnly}
              onChange={(patch) => onUpdate(condition.key, patch)}
              onRemove={() => onRemove(condition.key)}
            />
          ))}
          {!isReadOnly && (
            <Group>
              <Button
                variant="subtle"
                size="xs"
                leftSection={<IconPlus size={14} />}
                onClick={onAddCondition}
                disabled={group.conditions.length >= MAX_CONDITIONS}
                data-testid="criteria-add-condition"
              >
                Add condition
              </Button>
            </Group>
          )}
        </Stack>
      </Card>
    </>
  );
}

interface ConditionRowProps {
  readonly condition: EditorCondition;
  readonly position: number;
  readonly metadata: DeviceFilterEditorMetadata;
  readonly isReadOnly: boolean;
  readonly onChange: (patch: Partial<Omit<EditorCondition, 'key'>>) => void;
  readonly onRemove: () => void;
}

function ConditionRow({ condition, position, metadata, isReadOnly, onChange, onRemove }: ConditionRowProps) {
  const info: FieldInfo | undefined = metadata.fields.find((f) => f.field === condition.field);
  const operators = info?.operators ?? [condition.operator];
  return (
    <Group gap="xs" align="flex-start" wrap="wrap" data-testid="criteria-condition">
      {position === 0 ? (
        <Text size="sm" c="dimmed" w={64} pt={6}>
          Where
        </Text>
      ) : (
        <Select
          aria-label="Join with the conditions before"
          data={JOINS}
          value={condition.join_with}
          onChange={(value) => onChange({ join_with: value === 'OR' ? 'OR' : 'AND' })}
          w={64}
          size="sm"
          disabled={isReadOnly}
          allowDeselect={false}
          data-testid="criteria-condition-join"
        />
      )}
      <Select
        aria-label="Field"
        data={metadata.fields.map((f) => ({ value: f.field, label: f.label }))}
        value={condition.field}
        onChange={(value) => value && onChange({ field: value })}
        searchable
        w={170}
        disabled={isReadOnly}
        allowDeselect={false}
        data-testid="criteria-field"
      />
      {condition.field === 'metadata_field' && (
        <Select
          aria-label="Metadata field"
          data={metadata.metadata_fields.map((m) => ({
            value: String(m.field_number),
            label: `${String(m.field_number).padStart(3, '0')}${m.label ? ` · ${m.label}` : ''}`,
          }))}
          value={condition.field_number === null ? null : String(condition.field_number)}
          onChange={(value) => onChange({ field_number: value === null ? null : Number(value) })}
          searchable
          w={180}
          disabled={isReadOnly}
          data-testid="criteria-field-number"
        />
      )}
      {condition.field === 'installed_software' && (
        <Select
          aria-label="Software source"
          placeholder="Any source"
          data={metadata.software_sources}
          value={condition.software_source}
          onChange={(value) => onChange({ software_source: value })}
          clearable
          w={150}
          disabled={isReadOnly}
          data-testid="criteria-software-source"
        />
      )}
      <Select
        aria-label="Operator"
        data={operators.map((o) => ({ value: o, label: o.replaceAll('_', ' ') }))}
        value={condition.operator}
        onChange={(value) => value && onChange({ operator: value })}
        w={150}
        disabled={isReadOnly}
        allowDeselect={false}
        data-testid="criteria-operator"
      />
      <ValueInput condition={condition} info={info} isReadOnly={isReadOnly} onChange={onChange} />
      {condition.field === 'installed_software' && (
        <>
          <Select
            aria-label="Version test"
            placeholder="Any version"
            data={metadata.version_operators.map((o) => ({ value: o, label: o.replaceAll('_', ' ') }))}
            value={condition.version_operator}
            onChange={(value) => onChange({ version_operator: value })}
            clearable
            w={150}
            disabled={isReadOnly}
            data-testid="criteria-version-operator"
          />
          {condition.version_operator && (
            <TextInput
              aria-label="Version"
              placeholder="1.2.3"
              value={condition.version}
              onChange={(event) => onChange({ version: event.currentTarget.value })}
              w={120}
              disabled={isReadOnly}
              data-testid="criteria-version"
            />
          )}
        </>
      )}
      {info?.supports_regex && (
        <Checkbox
          label="Regex"
          checked={condition.use_regex}
          onChange={(event) => onChange({ use_regex: event.currentTarget.checked })}
          pt={8}
          disabled={isReadOnly}
          data-testid="criteria-regex"
        />
      )}
      {!isReadOnly && (
        <ActionIcon variant="subtle" color="gray" mt={4} aria-label="Remove condition" onClick={onRemove} data-testid="criteria-remove-condition">
          <IconX size={16} />
        </ActionIcon>
      )}
    </Group>
  );
}

function ValueInput({
  condition,
  info,
  isReadOnly,
  onChange,
}: {
  readonly condition: EditorCondition;
  readonly info: FieldInfo | undefined;
  readonly isReadOnly: boolean;
  readonly onChange: ConditionRowProps['onChange'];
}) {
  if (info?.values && info.values.length > 0) {
    return (
      <Select
        aria-label="Value"
        placeholder="Pick a value"
        data={info.values}
        value={condition.value || null}
        onChange={(value) => onChange({ value: value ?? '' })}
        w={160}
        disabled={isReadOnly}
        data-testid="criteria-value"
      />
    );
  }
  return (
    <TextInput
      aria-label="Value"
      placeholder={info?.kind === 'software' ? 'Package name' : info?.kind === 'number' ? `Number${info.unit ? ` (${info.unit})` : ''}` : 'Value'}
      inputMode={info?.kind === 'number' ? 'decimal' : undefined}
      value={condition.value}
      onChange={(event) => onChange({ value: event.currentTarget.value })}
      rightSection={info?.unit ? <Text size="xs" c="dimmed">{info.unit}</Text> : undefined}
      style={{ flex: '1 1 140px' }}
      miw={140}
      disabled={isReadOnly}
      data-testid="criteria-value"
    />
  );
}
