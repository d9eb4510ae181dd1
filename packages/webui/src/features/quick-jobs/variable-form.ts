// The launcher's variable form as plain data: initial values from an assembly's declared variables,
// and the `variable_values` a dispatch sends (only what the operator changed, so defaults stay the
// assembly's own, and required ones left empty are named before the engine is asked).
import type { AssemblyVariable } from '@borealis/protocol';

export type FormValue = string | number | boolean;

export function initialValues(variables: readonly AssemblyVariable[]): Record<string, FormValue> {
  const values: Record<string, FormValue> = {};
  for (const v of variables) {
    if (v.type === 'boolean') values[v.name] = v.default === true || v.default === 'true';
    else values[v.name] = v.default ?? '';
  }
  return values;
}

export function missingRequired(variables: readonly AssemblyVariable[], values: Readonly<Record<string, FormValue>>): string[] {
  return variables.filter((v) => v.required && v.type !== 'boolean' && (values[v.name] === undefined || values[v.name] === '')).map((v) => v.name);
}

/** The overrides: values that differ from the declared default. */
export function overridesOf(variables: readonly AssemblyVariable[], values: Readonly<Record<string, FormValue>>): Record<string, FormValue> {
  const initial = initialValues(variables);
  const out: Record<string, FormValue> = {};
  for (const v of variables) {
    const value = values[v.name];
    if (value === undefined || value === initial[v.name]) continue;
    if (value === '' && !v.required) continue;
    out[v.name] = value;
  }
  return out;
}
