// The editor's form state and its conversion to and from the stored payload (automation.md §1.2):
// numbers and booleans typed, empty optional fields left out, warning codes as integers.
import type { AssemblyPayload, AssemblyVariable, AssemblyWrite } from '@borealis/protocol';

export type VariableType = AssemblyVariable['type'];

export interface VariableRow {
  /** Stable React key; not sent. */
  readonly key: string;
  name: string;
  label: string;
  type: VariableType;
  /** As typed; converted by type on save. */
  defaultText: string;
  required: boolean;
  description: string;
}

export interface AssemblyForm {
  displayName: string;
  summary: string;
  description: string;
  platforms: string[];
  timeoutSeconds: number;
  warningExitCodes: string[];
  variables: VariableRow[];
  script: string;
  changeNote: string;
}

let nextKey = 0;
export const rowKey = () => `v${++nextKey}`;

export const NEW_SCRIPT = '#!/usr/bin/env bash\n# Runs as root on the device; variables arrive as environment variables.\nset -euo pipefail\n\necho "Hello from $(hostname)"\n';

export function emptyForm(): AssemblyForm {
  return { displayName: '', summary: '', description: '', platforms: ['linux'], timeoutSeconds: 3600, warningExitCodes: [], variables: [], script: NEW_SCRIPT, changeNote: '' };
}

/** The script as text: stored plain when it is UTF-8, else base64 (shown decoded, read-only). */
export function scriptText(payload: Pick<AssemblyPayload, 'script' | 'script_encoding'>): string {
  if (payload.script_encoding === 'plain') return payload.script;
  const bytes = Uint8Array.from(atob(payload.script), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

export function formOf(a: { display_name: string; summary: string | null; payload: AssemblyPayload }): AssemblyForm {
  const p = a.payload;
  return {
    displayName: a.display_name,
    summary: a.summary ?? '',
    description: p.description,
    platforms: [...p.platforms],
    timeoutSeconds: p.timeout_seconds,
    warningExitCodes: p.warning_exit_codes.map(String),
    variables: p.variables.map((v) => ({
      key: rowKey(),
      name: v.name,
      label: v.label ?? '',
      type: v.type,
      defaultText: v.default === undefined ? '' : String(v.default),
      required: v.required,
      description: v.description ?? '',
    })),
    script: scriptText(p),
    changeNote: '',
  };
}

function defaultOf(row: VariableRow): string | number | boolean | undefined {
  const text = row.defaultText.trim();
  if (row.type === 'boolean') return text === '' ? undefined : ['true', '1', 'yes', 'on'].includes(text.toLowerCase());
  if (text === '') return undefined;
  if (row.type === 'number') {
    const n = Number(text);
    // The engine keeps integers as numbers and fractions as their decimal text (JCS has no floats).
    return Number.isSafeInteger(n) ? n : text;
  }
  return row.defaultText;
}

/** The request body for create/save. `type` stays what the assembly is (bash for new ones). */
export function writeOf(form: AssemblyForm, type: AssemblyPayload['type'] = 'bash'): AssemblyWrite {
  return {
    display_name: form.displayName.trim(),
    summary: form.summary.trim() === '' ? null : form.summary.trim(),
    ...(form.changeNote.trim() ? { change_note: form.changeNote.trim() } : {}),
    payload: {
      version: 1,
      name: form.displayName.trim(),
      description: form.description,
      category: 'script',
      type,
      script: form.script,
      script_encoding: 'plain',
      platforms: form.platforms,
      timeout_seconds: form.timeoutSeconds,
      warning_exit_codes: form.warningExitCodes.map((c) => Number(c)).filter((n) => Number.isInteger(n)),
      variables: form.variables.map((row) => {
        const value = defaultOf(row);
        return {
          name: row.name.trim(),
          type: row.type,
          required: row.required,
          ...(row.label.trim() ? { label: row.label.trim() } : {}),
          ...(row.description.trim() ? { description: row.description.trim() } : {}),
          ...(value === undefined ? {} : { default: value }),
        };
      }),
      files: [],
    },
  };
}

/** The env key a variable becomes on the device (§1.6), shown next to its name. */
export function envKeyOf(name: string): string {
  const key = name.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase();
  return /^[0-9]/.test(key) ? `_${key}` : key;
}
