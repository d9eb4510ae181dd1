// The editor's form <-> payload conversion: typed defaults, trimmed optional fields, warning codes.
import { describe, expect, it } from 'vitest';
import type { AssemblyPayload } from '@borealis/protocol';
import { emptyForm, envKeyOf, formOf, rowKey, scriptText, writeOf } from './assembly-form';

const payload: AssemblyPayload = {
  version: 1,
  name: 'Linux - Disk Usage',
  description: 'd',
  category: 'script',
  type: 'bash',
  script: 'df -h\n',
  script_encoding: 'plain',
  platforms: ['linux'],
  timeout_seconds: 120,
  warning_exit_codes: [2],
  variables: [
    { name: 'WARN_PERCENT', type: 'number', default: 90, required: false, label: 'Warn' },
    { name: 'FLAG', type: 'boolean', default: true, required: true },
  ],
  files: [],
};

describe('assembly form', () => {
  it('round-trips a stored payload', () => {
    const form = formOf({ display_name: 'Linux - Disk Usage', summary: null, payload });
    expect(form.variables.map((v) => v.defaultText)).toEqual(['90', 'true']);
    const write = writeOf(form, 'bash');
    expect(write).toMatchObject({ display_name: 'Linux - Disk Usage', summary: null });
    expect(write.payload).toEqual(payload);
  });

  it('types defaults by variable type and leaves empty optional fields out', () => {
    const form = emptyForm();
    form.displayName = '  Probe ';
    form.warningExitCodes = ['3', 'x'];
    form.variables = [
      { key: rowKey(), name: ' N ', label: '', type: 'number', defaultText: '2.5', required: false, description: '' },
      { key: rowKey(), name: 'M', label: 'm', type: 'number', defaultText: '7', required: false, description: ' why ' },
      { key: rowKey(), name: 'S', label: '', type: 'string', defaultText: '', required: true, description: '' },
      { key: rowKey(), name: 'B', label: '', type: 'boolean', defaultText: 'false', required: false, description: '' },
    ];
    const p = writeOf(form).payload as AssemblyPayload;
    expect(p.name).toBe('Probe');
    expect(p.warning_exit_codes).toEqual([3]);
    expect(p.variables).toEqual([
      { name: 'N', type: 'number', required: false, default: '2.5' },
      { name: 'M', type: 'number', required: false, label: 'm', description: 'why', default: 7 },
      { name: 'S', type: 'string', required: true },
      { name: 'B', type: 'boolean', required: false, default: false },
    ]);
  });

  it('decodes base64 scripts and maps env keys as the engine does', () => {
    expect(scriptText({ script: btoa('echo ok\n'), script_encoding: 'base64' })).toBe('echo ok\n');
    expect(envKeyOf('since-hours')).toBe('SINCE_HOURS');
    expect(envKeyOf('1x')).toBe('_1X');
  });
});
