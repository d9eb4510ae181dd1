// Variable resolution rules of automation.md §1.6 (A4): precedence, coercion, env keys, built-ins.

import { describe, expect, it } from 'vitest';
import type { AssemblyVariable } from '@borealis/protocol';
import { AppError } from '../../errors';
import { environmentKey, resolveVariables, type AssemblyBuiltins } from './assembly-variables';

const builtins: AssemblyBuiltins = { JOB_ID: 'job-1', DEVICE_GUID: 'dev-1', HOSTNAME: 'host-1', SITE_ID: 7, ASSEMBLY_GUID: 'asm-1', ASSEMBLY_REVISION: 3 };
const v = (name: string, type: AssemblyVariable['type'], extra: Partial<AssemblyVariable> = {}): AssemblyVariable => ({ name, type, required: false, ...extra });
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? { code: err.code, status: err.status, extra: err.extra, details: err.details } : { code: 'other' };
  }
  return { code: 'none' };
};

describe('assembly variables (automation.md §1.6)', () => {
  it('A4: an override beats the default and BOREALIS_JOB_ID and the other built-ins are set', () => {
    const r = resolveVariables({ variables: [v('warn_percent', 'number', { default: 90 }), v('label', 'string', { default: 'x' })] }, { warn_percent: '75' }, builtins);
    expect(r.values).toEqual({ warn_percent: 75, label: 'x' });
    expect(r.environment).toMatchObject({ WARN_PERCENT: '75', LABEL: 'x', BOREALIS_JOB_ID: 'job-1', BOREALIS_DEVICE_GUID: 'dev-1', BOREALIS_HOSTNAME: 'host-1', BOREALIS_SITE_ID: '7', BOREALIS_ASSEMBLY_GUID: 'asm-1', BOREALIS_ASSEMBLY_REVISION: '3' });
  });

  it('A4: a missing required variable answers 422 missing_required_variables naming it', () => {
    const r = codeOf(() => resolveVariables({ variables: [v('SERVICE_NAME', 'string', { required: true }), v('other', 'string', { required: true, default: 'd' })] }, {}, builtins));
    expect(r).toMatchObject({ code: 'missing_required_variables', status: 422, extra: { names: ['SERVICE_NAME'] } });
    // An empty override does not satisfy a required variable without a default.
    expect(codeOf(() => resolveVariables({ variables: [v('A', 'string', { required: true })] }, { A: '' }, builtins)).code).toBe('missing_required_variables');
  });

  it('A4: borealis_x answers 422 reserved_variable_name, declared or passed through', () => {
    expect(codeOf(() => resolveVariables({ variables: [] }, { borealis_x: '1' }, builtins)).code).toBe('reserved_variable_name');
    expect(codeOf(() => resolveVariables({ variables: [v('borealis_x', 'string')] }, {}, builtins)).code).toBe('reserved_variable_name');
    expect(codeOf(() => resolveVariables({ variables: [] }, { BOREALIS_JOB_ID: 'forged' }, builtins)).code).toBe('reserved_variable_name');
  });

  it('coerces numbers (finite only) and booleans from true/false/1/0/yes/no/on/off', () => {
    const vars = [v('n', 'number'), v('b', 'boolean')];
    for (const [raw, expected] of [['yes', true], ['ON', true], ['1', true], [1, true], ['no', false], ['off', false], ['0', false], [false, false]] as const) {
      const r = resolveVariables({ variables: vars }, { n: '2.5', b: raw }, builtins);
      expect(r.values.b).toBe(expected);
      expect(r.environment.B).toBe(expected ? 'True' : 'False');
      expect(r.values.n).toBe(2.5);
    }
    expect(codeOf(() => resolveVariables({ variables: vars }, { n: 'Infinity' }, builtins)).code).toBe('invalid_variable_value');
    expect(codeOf(() => resolveVariables({ variables: vars }, { n: 'abc' }, builtins)).code).toBe('invalid_variable_value');
    expect(codeOf(() => resolveVariables({ variables: vars }, { b: 'maybe' }, builtins)).code).toBe('invalid_variable_value');
  });

  it('maps names to env keys, passes undeclared keys as strings, and refuses collisions', () => {
    expect(environmentKey('since-hours')).toBe('SINCE_HOURS');
    expect(environmentKey('9lives')).toBe('_9LIVES');
    const r = resolveVariables({ variables: [] }, { 'extra.key': 5, flag: true }, builtins);
    expect(r.environment).toMatchObject({ EXTRA_KEY: '5', FLAG: 'true' });
    expect(r.values['extra.key']).toBe('5');
    expect(codeOf(() => resolveVariables({ variables: [v('a-b', 'string', { default: '1' }), v('a_b', 'string', { default: '2' })] }, {}, builtins)).code).toBe('duplicate_variable_key');
    expect(codeOf(() => resolveVariables({ variables: [v('a-b', 'string', { default: '1' })] }, { A_B: 'x' }, builtins)).code).toBe('duplicate_variable_key');
  });

  it('refuses credential variables at dispatch with 422 unsupported_variable_type', () => {
    expect(codeOf(() => resolveVariables({ variables: [v('cred', 'credential', { default: '12' })] }, {}, builtins)).code).toBe('unsupported_variable_type');
    expect(codeOf(() => resolveVariables({ variables: [v('cred', 'credential')] }, {}, builtins)).code).toBe('unsupported_variable_type');
  });
});
