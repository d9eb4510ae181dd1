// Editor state for a device filter's criteria (automation.md §7): groups of conditions, each with a
// join to the one before it, folded strictly left to right. Pure functions, so the editor's rules
// are tested without a browser; every group and condition carries a stable key for React.
import { FILTER_CONDITIONS_MAX, FILTER_GROUPS_MAX, FILTER_REGEX_MAX } from '@borealis/protocol';

export type Join = 'AND' | 'OR';

export interface EditorCondition {
  readonly key: number;
  readonly join_with: Join;
  readonly field: string;
  readonly operator: string;
  readonly value: string;
  readonly use_regex: boolean;
  /** `metadata_field` only. */
  readonly field_number: number | null;
  /** `installed_software` only. */
  readonly software_source: string | null;
  readonly version_operator: string | null;
  readonly version: string;
}

export interface EditorGroup {
  readonly key: number;
  readonly join_with: Join;
  readonly conditions: readonly EditorCondition[];
}

export interface CriteriaState {
  readonly groups: readonly EditorGroup[];
  /** The next free key. */
  readonly seq: number;
}

/** The criteria object as the engine stores it (the editor's keys stripped). */
export interface CriteriaOut {
  readonly groups: readonly {
    readonly join_with: Join;
    readonly conditions: readonly Record<string, string | number | boolean>[];
  }[];
}

export const MAX_GROUPS = FILTER_GROUPS_MAX;
export const MAX_CONDITIONS = FILTER_CONDITIONS_MAX;
export const MAX_REGEX = FILTER_REGEX_MAX;

export const EMPTY_CRITERIA: CriteriaState = { groups: [], seq: 1 };

const BLANK: Omit<EditorCondition, 'key'> = {
  join_with: 'AND',
  field: 'hostname',
  operator: 'contains',
  value: '',
  use_regex: false,
  field_number: null,
  software_source: null,
  version_operator: null,
  version: '',
};

export function addGroup(state: CriteriaState): CriteriaState {
  if (state.groups.length >= MAX_GROUPS) return state;
  const group: EditorGroup = { key: state.seq, join_with: 'OR', conditions: [{ ...BLANK, key: state.seq + 1 }] };
  return { groups: [...state.groups, group], seq: state.seq + 2 };
}

export function removeGroup(state: CriteriaState, groupKey: number): CriteriaState {
  return { ...state, groups: state.groups.filter((g) => g.key !== groupKey) };
}

export function setGroupJoin(state: CriteriaState, groupKey: number, join: Join): CriteriaState {
  return mapGroup(state, groupKey, (g) => ({ ...g, join_with: join }));
}

export function addCondition(state: CriteriaState, groupKey: number): CriteriaState {
  const group = state.groups.find((g) => g.key === groupKey);
  if (!group || group.conditions.length >= MAX_CONDITIONS) return state;
  const next = mapGroup(state, groupKey, (g) => ({ ...g, conditions: [...g.conditions, { ...BLANK, key: state.seq }] }));
  return { ...next, seq: state.seq + 1 };
}

/** Removing a group's last condition removes the group: an empty group would match everything. */
export function removeCondition(state: CriteriaState, groupKey: number, conditionKey: number): CriteriaState {
  const group = state.groups.find((g) => g.key === groupKey);
  if (!group) return state;
  if (group.conditions.length === 1 && group.conditions[0]!.key === conditionKey) return removeGroup(state, groupKey);
  return mapGroup(state, groupKey, (g) => ({ ...g, conditions: g.conditions.filter((c) => c.key !== conditionKey) }));
}

/**
 * Changes one condition. A new field resets what belonged to the old one: the operator (when the new
 * field does not offer it), the value and the field-specific extras.
 */
export function updateCondition(
  state: CriteriaState,
  groupKey: number,
  conditionKey: number,
  patch: Partial<Omit<EditorCondition, 'key'>>,
  operatorsOf: (field: string) => readonly string[] = () => [],
): CriteriaState {
  return mapGroup(state, groupKey, (g) => ({
    ...g,
    conditions: g.conditions.map((c) => {
      if (c.key !== conditionKey) return c;
      if (patch.field === undefined || patch.field === c.field) return { ...c, ...patch };
      const operators = operatorsOf(patch.field);
      const operator = operators.includes(c.operator) ? c.operator : (operators[0] ?? c.operator);
      return {
        ...c,
        field: patch.field,
        operator,
        value: '',
        use_regex: false,
        field_number: patch.field === 'metadata_field' ? (c.field_number ?? 11) : null,
        software_source: null,
        version_operator: null,
        version: '',
        ...patch,
      };
    }),
  }));
}

/** The engine's criteria object for the state: keys dropped, unused extras left out. */
export function toCriteria(state: CriteriaState): CriteriaOut {
  return {
    groups: state.groups.map((g) => ({
      join_with: g.join_with,
      conditions: g.conditions.map((c) => {
        const out: Record<string, string | number | boolean> = {
          field: c.field,
          operator: c.operator,
          value: c.value,
          use_regex: c.use_regex,
          join_with: c.join_with,
        };
        if (c.field === 'metadata_field' && c.field_number !== null) out.field_number = c.field_number;
        if (c.field === 'installed_software') {
          if (c.software_source) out.software_source = c.software_source;
          if (c.version_operator) {
            out.version_operator = c.version_operator;
            out.version = c.version;
          }
        }
        return out;
      }),
    })),
  };
}

/** Reads stored criteria back into editor state; unknown or missing parts get the defaults. */
export function fromCriteria(criteria: unknown): CriteriaState {
  let seq = 1;
  const groups: EditorGroup[] = [];
  for (const rawGroup of arrayAt(criteria, 'groups')) {
    const conditions: EditorCondition[] = [];
    const groupKey = seq++;
    for (const raw of arrayAt(rawGroup, 'conditions')) {
      conditions.push({
        key: seq++,
        join_with: joinAt(raw, 'AND'),
        field: textAt(raw, 'field') ?? BLANK.field,
        operator: textAt(raw, 'operator') ?? BLANK.operator,
        value: valueAt(raw, 'value'),
        use_regex: isObject(raw) && raw.use_regex === true,
        field_number: isObject(raw) && typeof raw.field_number === 'number' ? raw.field_number : null,
        software_source: textAt(raw, 'software_source') ?? null,
        version_operator: textAt(raw, 'version_operator') ?? null,
        version: valueAt(raw, 'version'),
      });
    }
    if (conditions.length > 0) groups.push({ key: groupKey, join_with: joinAt(rawGroup, 'OR'), conditions });
  }
  return { groups, seq };
}

export interface FieldRules {
  /** Fields whose value is a number (`total_ram_gb`, …). */
  readonly numeric: ReadonlySet<string>;
}

/**
 * Problems the engine would refuse, worded as it words them ("Advanced group 1 condition 2: value is
 * required."), so the editor can say so before saving.
 */
export function validateCriteria(state: CriteriaState, rules: FieldRules = { numeric: new Set() }): string[] {
  const problems: string[] = [];
  state.groups.forEach((group, g) => {
    group.conditions.forEach((c, i) => {
      const where = `Advanced group ${g + 1} condition ${i + 1}`;
      if (c.value.trim() === '') problems.push(`${where}: value is required.`);
      else if (rules.numeric.has(c.field) && !Number.isFinite(Number(c.value))) problems.push(`${where}: value must be a number.`);
      if (c.use_regex && c.value.length > MAX_REGEX) problems.push(`${where}: a regular expression is at most ${MAX_REGEX} characters.`);
      if (c.field === 'metadata_field' && (c.field_number === null || c.field_number < 1 || c.field_number > 500)) {
        problems.push(`${where}: pick a metadata field from 1 to 500.`);
      }
      if (c.field === 'installed_software' && c.version_operator && c.version.trim() === '') {
        problems.push(`${where}: version is required.`);
      }
    });
  });
  return problems;
}

/** A one-line reading of the criteria, with the left-to-right folding made visible by brackets. */
export function describeCriteria(state: CriteriaState, labelOf: (field: string) => string = (f) => f): string {
  if (state.groups.length === 0) return 'Every device';
  return state.groups
    .map((group, g) => {
      const inner = group.conditions
        .map((c, i) => `${i === 0 ? '' : `${c.join_with} `}${labelOf(c.field)} ${c.operator.replaceAll('_', ' ')} "${c.value}"`)
        .join(' ');
      const text = group.conditions.length > 1 ? `(${inner})` : inner;
      return g === 0 ? text : `${group.join_with} ${text}`;
    })
    .join(' ');
}

function mapGroup(state: CriteriaState, groupKey: number, change: (group: EditorGroup) => EditorGroup): CriteriaState {
  return { ...state, groups: state.groups.map((g) => (g.key === groupKey ? change(g) : g)) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function arrayAt(value: unknown, key: string): readonly unknown[] {
  const found = isObject(value) ? value[key] : undefined;
  return Array.isArray(found) ? found : [];
}

function textAt(value: unknown, key: string): string | undefined {
  const found = isObject(value) ? value[key] : undefined;
  return typeof found === 'string' && found !== '' ? found : undefined;
}

function valueAt(value: unknown, key: string): string {
  const found = isObject(value) ? value[key] : undefined;
  return typeof found === 'string' ? found : typeof found === 'number' ? String(found) : '';
}

function joinAt(value: unknown, fallback: Join): Join {
  const found = textAt(value, 'join_with')?.toUpperCase();
  return found === 'AND' || found === 'OR' ? found : fallback;
}
