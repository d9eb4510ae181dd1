// The device-filter criteria grammar of automation.md §7, checked field by field: each condition
// becomes a typed rule or an error that names its place ("Advanced group 1 condition 2: …").

import {
  FILTER_REGEX_MAX,
  FILTER_NUMBER_FIELDS,
  FILTER_TEXT_FIELDS,
  NUMBER_OPERATORS,
  SOFTWARE_SOURCES,
  TEXT_OPERATORS,
  VERSION_OPERATORS,
  type ErrorDetail,
  type FilterCondition,
  type FilterCriteria,
} from '@borealis/protocol';
import { ValidationError } from '../../errors';

export type TextOperator = (typeof TEXT_OPERATORS)[number];
export type NumberOperator = (typeof NUMBER_OPERATORS)[number];
export type TextField = Exclude<(typeof FILTER_TEXT_FIELDS)[number], 'metadata_field'>;
export type NumberField = (typeof FILTER_NUMBER_FIELDS)[number];

export interface TextMatch {
  readonly op: TextOperator;
  readonly value: string;
  readonly regex: boolean;
}

export type Rule =
  | ({ readonly kind: 'text'; readonly field: TextField } & TextMatch)
  | ({ readonly kind: 'metadata'; readonly fieldNumber: number } & TextMatch)
  | { readonly kind: 'status'; readonly online: boolean }
  | { readonly kind: 'number'; readonly field: NumberField; readonly op: NumberOperator; readonly value: number }
  | ({
      readonly kind: 'software';
      readonly source: string | null;
      readonly versionOp: (typeof VERSION_OPERATORS)[number] | null;
      readonly version: string | null;
    } & TextMatch);

export type Join = 'AND' | 'OR';

export interface CheckedGroup {
  readonly join: Join;
  readonly rules: ReadonlyArray<{ readonly join: Join; readonly rule: Rule }>;
}

const includes = <T extends string>(list: readonly T[], v: unknown): v is T => typeof v === 'string' && (list as readonly string[]).includes(v);

/** An RE2-compatible pattern (no backreferences or lookaround), or why not. */
export function regexProblem(pattern: string): string | null {
  if (pattern.length > FILTER_REGEX_MAX) return `regular expression must be at most ${FILTER_REGEX_MAX} characters`;
  if (/\\[1-9]|\\k</.test(pattern)) return 'backreferences are not supported (RE2 syntax)';
  if (/\(\?<?[=!]/.test(pattern)) return 'lookahead and lookbehind are not supported (RE2 syntax)';
  try {
    new RegExp(pattern);
  } catch {
    return 'is not a valid regular expression';
  }
  return null;
}

/**
 * Checks every condition and returns the groups as typed rules; throws one 422 listing every
 * problem. `path` is where the criteria sit in the request (`criteria`).
 */
export function checkCriteria(criteria: FilterCriteria, path = 'criteria'): CheckedGroup[] {
  const details: ErrorDetail[] = [];
  const groups: CheckedGroup[] = criteria.groups.map((group, g) => ({
    join: group.join_with ?? 'OR',
    rules: group.conditions.flatMap((condition, c) => {
      const where = `Advanced group ${g + 1} condition ${c + 1}`;
      const at = `${path}.groups.${g}.conditions.${c}`;
      const fail = (key: string, message: string) => {
        details.push({ path: `${at}.${key}`, message: `${where}: ${message}` });
        return null;
      };
      const rule = checkCondition(condition, fail);
      return rule ? [{ join: condition.join_with ?? 'AND', rule }] : [];
    }),
  }));
  if (details.length) throw new ValidationError(details);
  return groups;
}

function textMatch(condition: FilterCondition, fail: (key: string, message: string) => null): TextMatch | null {
  if (!includes(TEXT_OPERATORS, condition.operator)) return fail('operator', `operator "${condition.operator}" is not one of ${TEXT_OPERATORS.join(', ')}.`);
  const value = typeof condition.value === 'number' ? String(condition.value) : condition.value;
  if (value === undefined || value === null || value.trim() === '') return fail('value', 'value is required.');
  const regex = condition.use_regex === true;
  if (regex) {
    const problem = regexProblem(value);
    if (problem) return fail('value', `${problem}.`);
  }
  return { op: condition.operator, value, regex };
}

function checkCondition(condition: FilterCondition, fail: (key: string, message: string) => null): Rule | null {
  const field = condition.field;
  if (field === 'metadata_field') {
    const n = condition.field_number;
    if (n === undefined || !Number.isInteger(n) || n < 1 || n > 500) return fail('field_number', 'field_number must be 1-500.');
    const m = textMatch(condition, fail);
    return m && { kind: 'metadata', fieldNumber: n, ...m };
  }
  if (includes(FILTER_TEXT_FIELDS, field)) {
    const m = textMatch(condition, fail);
    return m && { kind: 'text', field: field as TextField, ...m };
  }
  if (field === 'status') {
    if (condition.operator !== 'equals') return fail('operator', 'operator must be equals.');
    const v = typeof condition.value === 'string' ? condition.value.trim().toLowerCase() : '';
    if (v !== 'online' && v !== 'offline') return fail('value', 'value must be Online or Offline.');
    return { kind: 'status', online: v === 'online' };
  }
  if (includes(FILTER_NUMBER_FIELDS, field)) {
    if (!includes(NUMBER_OPERATORS, condition.operator)) return fail('operator', `operator "${condition.operator}" is not one of ${NUMBER_OPERATORS.join(', ')}.`);
    const raw = condition.value;
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
    if (!Number.isFinite(value)) return fail('value', 'value must be a number.');
    return { kind: 'number', field, op: condition.operator, value };
  }
  if (field === 'installed_software') {
    const m = textMatch(condition, fail);
    if (!m) return null;
    const source = condition.software_source ?? null;
    if (source !== null && source !== '' && !includes(SOFTWARE_SOURCES, source)) return fail('software_source', `software_source must be one of ${SOFTWARE_SOURCES.join(', ')}.`);
    const versionOp = condition.version_operator ?? null;
    if (versionOp !== null && versionOp !== '' && !includes(VERSION_OPERATORS, versionOp)) return fail('version_operator', `version_operator must be one of ${VERSION_OPERATORS.join(', ')}.`);
    const version = condition.version?.trim() || null;
    const op = versionOp || null;
    if (op && !version) return fail('version', 'version is required with a version operator.');
    return { kind: 'software', ...m, source: source || null, versionOp: op as (typeof VERSION_OPERATORS)[number] | null, version: op ? version : null };
  }
  return fail('field', `field "${field}" is not a filter field.`);
}
