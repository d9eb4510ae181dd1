import type { AssemblyVariable } from '@borealis/protocol';
import { describe, expect, it } from 'vitest';
import { initialValues, missingRequired, overridesOf } from './variable-form';

const vars: AssemblyVariable[] = [
  { name: 'SERVICE_NAME', label: 'Service', type: 'string', required: true },
  { name: 'WARN_PERCENT', label: 'Warn at', type: 'number', default: 90, required: false },
  { name: 'SECURITY_ONLY', label: 'Security only', type: 'boolean', default: false, required: false },
];

describe('launcher variable form', () => {
  it('starts from the declared defaults', () => {
    expect(initialValues(vars)).toEqual({ SERVICE_NAME: '', WARN_PERCENT: 90, SECURITY_ONLY: false });
  });

  it('names required variables left empty', () => {
    expect(missingRequired(vars, initialValues(vars))).toEqual(['SERVICE_NAME']);
    expect(missingRequired(vars, { ...initialValues(vars), SERVICE_NAME: 'nginx' })).toEqual([]);
  });

  it('sends only what the operator changed', () => {
    expect(overridesOf(vars, { SERVICE_NAME: 'nginx', WARN_PERCENT: 90, SECURITY_ONLY: true })).toEqual({ SERVICE_NAME: 'nginx', SECURITY_ONLY: true });
  });
});
