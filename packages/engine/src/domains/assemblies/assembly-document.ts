// Normalizes an assembly payload into its stored form (automation.md §1.2): script as plain UTF-8
// when it is text, platform defaults, JCS-safe defaults, size caps; content_hash = SHA-256(JCS).

import { createHash } from 'node:crypto';
import { ASSEMBLY_LIMITS, AssemblyPayloadSchema, type AssemblyPayload } from '@borealis/protocol';
import { canonicalJson } from '@borealis/protocol/agent';
import { z } from 'zod';
import { AppError, ValidationError } from '../../errors';
import { checkDeclaredVariables } from './assembly-variables';

export interface NormalizedPayload {
  readonly payload: AssemblyPayload;
  /** Lower-case hex SHA-256 of JCS(payload). */
  readonly contentHash: string;
  readonly scriptBytes: number;
}

const DEFAULT_PLATFORMS: Record<AssemblyPayload['type'], AssemblyPayload['platforms']> = {
  bash: ['linux'],
  python: ['linux'],
  powershell: ['windows'],
  batch: ['windows'],
  ansible: ['linux'],
  workflow: ['linux', 'windows', 'macos'],
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The script's bytes, whatever the stored encoding. */
export function scriptBytesOf(payload: Pick<AssemblyPayload, 'script' | 'script_encoding'>): Buffer {
  return payload.script_encoding === 'base64' ? Buffer.from(payload.script, 'base64') : Buffer.from(payload.script, 'utf8');
}

/** The script as text (UTF-8), for editors and the bash dispatch path. */
export function scriptTextOf(payload: Pick<AssemblyPayload, 'script' | 'script_encoding'>): string {
  return payload.script_encoding === 'plain' ? payload.script : scriptBytesOf(payload).toString('utf8');
}

export function contentHashOf(payload: AssemblyPayload): string {
  return createHash('sha256').update(canonicalJson(payload), 'utf8').digest('hex');
}

function tooLarge(what: string, limit: number): never {
  throw new AppError('payload_too_large', `The ${what} may be at most ${limit / (1024 * 1024)} MiB`);
}

/** Upstream variable spellings: default|value|defaultValue|default_value; unknown types are refused (§1.2). */
function preVariable(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const v = { ...(raw as Record<string, unknown>) };
  for (const alias of ['value', 'defaultValue', 'default_value']) {
    if (v.default === undefined && v[alias] !== undefined) v.default = v[alias];
    delete v[alias];
  }
  if (v.default === null || v.default === undefined) delete v.default;
  // JCS takes no floats: a fractional default is kept as its decimal text.
  else if (typeof v.default === 'number' && !Number.isSafeInteger(v.default)) v.default = String(v.default);
  for (const k of ['label', 'description', 'default_from']) if (v[k] === null) delete v[k];
  return v;
}

/**
 * Validates and normalizes a payload (already JSON). Throws 422 validation_failed with paths,
 * 422 invalid_variable_type, 413 payload_too_large, and the variable-name 422s.
 */
export function normalizePayload(input: unknown, opts: { readonly strictVariableTypes?: boolean } = {}): NormalizedPayload {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ValidationError([{ path: 'payload', message: 'expected an object' }]);
  const raw = { ...(input as Record<string, unknown>) };
  if (Buffer.byteLength(JSON.stringify(raw), 'utf8') > ASSEMBLY_LIMITS.documentBytes) tooLarge('assembly document', ASSEMBLY_LIMITS.documentBytes);
  for (const [k, v] of Object.entries(raw)) if (v === null) delete raw[k];
  if (raw.version === undefined) raw.version = 1;
  if (raw.script_encoding === undefined) raw.script_encoding = 'plain';
  if (typeof raw.type === 'string') raw.type = raw.type.toLowerCase() === 'ansible_playbook' ? 'ansible' : raw.type.toLowerCase();
  if (raw.platforms === undefined && typeof raw.type === 'string' && raw.type in DEFAULT_PLATFORMS) raw.platforms = DEFAULT_PLATFORMS[raw.type as AssemblyPayload['type']];
  if (Array.isArray(raw.variables)) {
    raw.variables = raw.variables.map((v: unknown) => {
      const pre = preVariable(v) as Record<string, unknown>;
      if (typeof pre === 'object' && pre !== null && typeof pre.type === 'string' && !['string', 'number', 'boolean', 'credential'].includes(pre.type)) {
        if (opts.strictVariableTypes ?? true) throw new AppError('invalid_variable_type', `Variable ${String(pre.name)} has an unknown type ${pre.type}`, [{ path: 'payload.variables', message: pre.type }]);
        pre.type = 'string';
      }
      return pre;
    });
  }
  const parsed = AssemblyPayloadSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(zodDetails(parsed.error, 'payload'));
  const p = parsed.data;
  if (p.script_encoding === 'base64' && !/^[A-Za-z0-9+/]*={0,2}$/.test(p.script.replace(/\s+/g, ''))) {
    throw new ValidationError([{ path: 'payload.script', message: 'not base64' }]);
  }
  const bytes = scriptBytesOf({ script: p.script_encoding === 'base64' ? p.script.replace(/\s+/g, '') : p.script, script_encoding: p.script_encoding });
  if (bytes.length > ASSEMBLY_LIMITS.scriptBytes) tooLarge('script', ASSEMBLY_LIMITS.scriptBytes);
  let script: string;
  let encoding: AssemblyPayload['script_encoding'];
  try {
    script = utf8.decode(bytes);
    encoding = 'plain';
  } catch {
    script = bytes.toString('base64');
    encoding = 'base64';
  }
  checkDeclaredVariables(p.variables);
  const payload: AssemblyPayload = {
    version: 1,
    name: p.name,
    description: p.description,
    category: p.category,
    type: p.type,
    script,
    script_encoding: encoding,
    platforms: [...new Set(p.platforms)],
    timeout_seconds: p.timeout_seconds,
    warning_exit_codes: [...new Set(p.warning_exit_codes)],
    variables: p.variables.map((v) => stripUndefined({ ...v })),
    files: p.files,
  };
  return { payload, contentHash: contentHashOf(payload), scriptBytes: bytes.length };
}

function stripUndefined<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

export function zodDetails(error: z.ZodError, prefix: string) {
  return error.issues.slice(0, 20).map((i) => ({ path: [prefix, ...i.path.map(String)].join('.'), message: i.message }));
}
