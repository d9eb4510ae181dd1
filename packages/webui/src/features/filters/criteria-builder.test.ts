// Behaviour of the criteria editor state: adding and removing groups and conditions, field changes
// resetting what belonged to the old field, the stored shape, and the engine-worded validation.
import { describe, expect, it } from 'vitest';
import {
  addCondition,
  addGroup,
  type CriteriaState,
  describeCriteria,
  EMPTY_CRITERIA,
  fromCriteria,
  MAX_GROUPS,
  removeCondition,
  setGroupJoin,
  toCriteria,
  updateCondition,
  validateCriteria,
} from './criteria-builder';

const OPERATORS: Record<string, readonly string[]> = {
  hostname: ['contains', 'equals'],
  total_ram_gb: ['greater_than', 'less_than'],
  metadata_field: ['contains', 'equals'],
};
const operatorsOf = (field: string) => OPERATORS[field] ?? [];

function twoGroups(): CriteriaState {
  let state = addGroup(EMPTY_CRITERIA);
  state = addGroup(state);
  return state;
}

describe('criteria builder', () => {
  it('starts a new group with one blank condition and keeps keys unique', () => {
    const state = twoGroups();
    expect(state.groups).toHaveLength(2);
    const keys = state.groups.flatMap((g) => [g.key, ...g.conditions.map((c) => c.key)]);
    expect(new Set(keys).size).toBe(keys.length);
    expect(state.groups[0]!.conditions[0]).toMatchObject({ field: 'hostname', operator: 'contains', value: '' });
  });

  it('stops at 20 groups', () => {
    let state = EMPTY_CRITERIA;
    for (let i = 0; i < MAX_GROUPS + 3; i += 1) state = addGroup(state);
    expect(state.groups).toHaveLength(MAX_GROUPS);
  });

  it('removes the group with its last condition, since an empty group would match everything', () => {
    let state = twoGroups();
    const first = state.groups[0]!;
    state = addCondition(state, first.key);
    expect(state.groups[0]!.conditions).toHaveLength(2);
    state = removeCondition(state, first.key, state.groups[0]!.conditions[1]!.key);
    expect(state.groups[0]!.conditions).toHaveLength(1);
    state = removeCondition(state, first.key, state.groups[0]!.conditions[0]!.key);
    expect(state.groups).toHaveLength(1);
    expect(state.groups[0]!.key).not.toBe(first.key);
  });

  it('resets operator, value and extras when the field changes, and keeps them otherwise', () => {
    let state = addGroup(EMPTY_CRITERIA);
    const g = state.groups[0]!.key;
    const c = state.groups[0]!.conditions[0]!.key;
    state = updateCondition(state, g, c, { value: 'web', use_regex: true }, operatorsOf);
    expect(state.groups[0]!.conditions[0]).toMatchObject({ value: 'web', use_regex: true });
    state = updateCondition(state, g, c, { field: 'total_ram_gb' }, operatorsOf);
    expect(state.groups[0]!.conditions[0]).toMatchObject({ field: 'total_ram_gb', operator: 'greater_than', value: '', use_regex: false });
    state = updateCondition(state, g, c, { field: 'metadata_field' }, operatorsOf);
    expect(state.groups[0]!.conditions[0]).toMatchObject({ operator: 'contains', field_number: 11 });
  });

  it('writes the stored shape without editor keys and reads it back', () => {
    let state = twoGroups();
    const [a, b] = state.groups;
    state = updateCondition(state, a!.key, a!.conditions[0]!.key, { value: 'web' }, operatorsOf);
    state = updateCondition(state, b!.key, b!.conditions[0]!.key, { field: 'metadata_field', value: 'prod', field_number: 42 }, operatorsOf);
    state = setGroupJoin(state, b!.key, 'AND');
    const stored = toCriteria(state);
    expect(stored).toEqual({
      groups: [
        { join_with: 'OR', conditions: [{ field: 'hostname', operator: 'contains', value: 'web', use_regex: false, join_with: 'AND' }] },
        {
          join_with: 'AND',
          conditions: [{ field: 'metadata_field', operator: 'contains', value: 'prod', use_regex: false, join_with: 'AND', field_number: 42 }],
        },
      ],
    });
    expect(toCriteria(fromCriteria(stored))).toEqual(stored);
  });

  it('reads stored criteria with missing parts as defaults and drops empty groups', () => {
    const state = fromCriteria({ groups: [{ conditions: [{ field: 'total_ram_gb', operator: 'greater_than', value: 8 }] }, { conditions: [] }] });
    expect(state.groups).toHaveLength(1);
    expect(state.groups[0]).toMatchObject({ join_with: 'OR' });
    expect(state.groups[0]!.conditions[0]).toMatchObject({ value: '8', join_with: 'AND', use_regex: false });
    expect(fromCriteria(null)).toEqual(EMPTY_CRITERIA);
  });

  it('names each problem by group and condition, as the engine does', () => {
    let state = twoGroups();
    const b = state.groups[1]!;
    state = addCondition(state, b.key);
    state = updateCondition(state, b.key, state.groups[1]!.conditions[0]!.key, { field: 'total_ram_gb', value: 'lots' }, operatorsOf);
    expect(validateCriteria(state, { numeric: new Set(['total_ram_gb']) })).toEqual([
      'Advanced group 1 condition 1: value is required.',
      'Advanced group 2 condition 1: value must be a number.',
      'Advanced group 2 condition 2: value is required.',
    ]);
  });

  it('describes the left-to-right folding with brackets', () => {
    expect(describeCriteria(EMPTY_CRITERIA)).toBe('Every device');
    let state = twoGroups();
    const [a, b] = state.groups;
    state = addCondition(state, a!.key);
    state = updateCondition(state, a!.key, state.groups[0]!.conditions[0]!.key, { value: 'web' });
    state = updateCondition(state, a!.key, state.groups[0]!.conditions[1]!.key, { value: 'db', join_with: 'OR' });
    state = updateCondition(state, b!.key, b!.conditions[0]!.key, { value: 'prod' });
    state = setGroupJoin(state, b!.key, 'AND');
    expect(describeCriteria(state)).toBe('(hostname contains "web" OR hostname contains "db") AND hostname contains "prod"');
  });
});
