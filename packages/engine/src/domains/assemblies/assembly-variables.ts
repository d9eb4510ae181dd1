// Variable resolution per target (automation.md §1.6): dispatch override > default, type coercion,
// environment-key mapping, built-in BOREALIS_* keys that nothing may override.

import type { AssemblyPayload, AssemblyVariable } from '@borealis/protocol';
import { AppError } from '../../errors';

/** Context every script gets; the keys become `BOREALIS_<KEY>`. */
export interface AssemblyBuiltins {
  readonly JOB_ID: string;
  readonly DEVICE_GUID: string;
  readonly HOSTNAME: string;
  readonly SITE_ID: string | number | null;
  readonly ASSEMBLY_GUID: string;
  readonly ASSEMBLY_REVISION: string | number;
}

export type ResolvedValue = string | number | boolean;

export interface ResolvedVariables {
  /** The job environment (agent-protocol §6.3 keys), built-ins included. */
  readonly environment: Record<string, string>;
  /** Typed values by variable name (declared and passed-through undeclared ones). */
  readonly values: Record<string, ResolvedValue>;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/** Env key: chars outside [A-Za-z0-9_] become `_`, upper-cased; a leading digit gets a `_` prefix. */
export function environmentKey(name: string): string {
  const key = name.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase();
  return /^[0-9]/.test(key) ? `_${key}` : key;
}

export function isReservedKey(key: string): boolean {
  return key.startsWith('BOREALIS_');
}

/** Save-time checks of declared variables: reserved names and env-key collisions (422). */
export function checkDeclaredVariables(variables: readonly AssemblyVariable[]): void {
  const seen = new Map<string, string>();
  for (const v of variables) {
    const key = environmentKey(v.name);
    if (isReservedKey(key)) throw new AppError('reserved_variable_name', `Variable ${v.name} uses the reserved BOREALIS_ prefix`, [{ path: 'payload.variables', message: v.name }]);
    const other = seen.get(key);
    if (other !== undefined) throw new AppError('duplicate_variable_key', `Variables ${other} and ${v.name} both map to ${key}`, [{ path: 'payload.variables', message: key }]);
    seen.set(key, v.name);
  }
}

function coerce(variable: AssemblyVariable, raw: unknown): ResolvedValue {
  const bad = (): never => {
    throw new AppError('invalid_variable_value', `Variable ${variable.name} expects a ${variable.type}`, [{ path: `variable_values.${variable.name}`, message: `expects a ${variable.type}` }]);
  };
  switch (variable.type) {
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : Number.NaN;
      return Number.isFinite(n) ? n : bad();
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const word = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim().toLowerCase() : '';
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      return bad();
    }
    case 'string':
      if (typeof raw === 'string') return raw;
      if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
      return bad();
    case 'credential':
      throw new AppError('unsupported_variable_type', `Variable ${variable.name} is a credential variable, which this engine cannot dispatch yet`, [{ path: `variables.${variable.name}`, message: 'credential' }]);
  }
}

function envValue(value: ResolvedValue): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

const isAbsent = (v: unknown) => v === undefined || v === null || v === '';

/**
 * Resolves a payload's variables for one target. Throws 422 `missing_required_variables` (details
 * name every missing variable, `names` lists them), `invalid_variable_value`,
 * `duplicate_variable_key`, `reserved_variable_name` or `unsupported_variable_type`.
 */
export function resolveVariables(
  payload: Pick<AssemblyPayload, 'variables'>,
  overrides: Readonly<Record<string, unknown>> | undefined,
  builtins: AssemblyBuiltins,
): ResolvedVariables {
  const given = overrides ?? {};
  const environment: Record<string, string> = {};
  const values: Record<string, ResolvedValue> = {};
  const owners = new Map<string, string>();
  const claim = (key: string, name: string) => {
    if (isReservedKey(key)) throw new AppError('reserved_variable_name', `${name} uses the reserved BOREALIS_ prefix`, [{ path: `variable_values.${name}`, message: 'reserved' }]);
    const other = owners.get(key);
    if (other !== undefined) throw new AppError('duplicate_variable_key', `${other} and ${name} both map to ${key}`, [{ path: `variable_values.${name}`, message: key }]);
    owners.set(key, name);
  };

  const declared = new Set<string>();
  const missing: string[] = [];
  for (const variable of payload.variables) {
    declared.add(variable.name);
    const key = environmentKey(variable.name);
    claim(key, variable.name);
    const raw = Object.hasOwn(given, variable.name) && !isAbsent(given[variable.name]) ? given[variable.name] : variable.default;
    if (isAbsent(raw)) {
      if (variable.type === 'credential') coerce(variable, raw);
      if (variable.required) missing.push(variable.name);
      else {
        values[variable.name] = '';
        environment[key] = '';
      }
      continue;
    }
    const value = coerce(variable, raw);
    values[variable.name] = value;
    environment[key] = envValue(value);
  }
  if (missing.length > 0) {
    throw new AppError(
      'missing_required_variables',
      `Missing required variables: ${missing.join(', ')}`,
      missing.map((name) => ({ path: `variable_values.${name}`, message: 'required' })),
      { names: missing },
    );
  }
  // Undeclared keys pass through as strings (upstream sends ad-hoc values this way).
  for (const [name, raw] of Object.entries(given)) {
    if (declared.has(name) || raw === undefined || raw === null) continue;
    const key = environmentKey(name);
    claim(key, name);
    const value = typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : JSON.stringify(raw);
    values[name] = value;
    environment[key] = value;
  }
  const b = builtins;
  Object.assign(environment, {
    BOREALIS_JOB_ID: b.JOB_ID,
    BOREALIS_DEVICE_GUID: b.DEVICE_GUID,
    BOREALIS_HOSTNAME: b.HOSTNAME,
    BOREALIS_SITE_ID: b.SITE_ID === null ? '' : String(b.SITE_ID),
    BOREALIS_ASSEMBLY_GUID: b.ASSEMBLY_GUID,
    BOREALIS_ASSEMBLY_REVISION: String(b.ASSEMBLY_REVISION),
  });
  return { environment, values };
}
