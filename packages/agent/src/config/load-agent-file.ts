// Reads and validates agent.json. Every failure names the file and the offending key, so an
// operator can fix it by hand (`borealis-agent --validate-config`).

import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { AgentFileSchema, type AgentFile } from './agent-file-schema';

export interface ConfigProblem {
  /** Dotted key path such as `trust.mode`, or `(file)` for the file as a whole. */
  readonly key: string;
  readonly message: string;
}

/** agent.json is missing, unreadable or invalid; the CLI prints `message` and exits 2. */
export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError';
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(problems.map((p) => `${file}: ${p.key === '(file)' ? '' : `key "${p.key}" `}${p.message}`).join('\n'));
  }
}

/** The parsed file, or undefined when it does not exist. */
export async function readAgentFile(file: string): Promise<AgentFile | undefined> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new AgentConfigError(file, [{ key: '(file)', message: `cannot be read (${code ?? (err as Error).message})` }]);
  }
  return parseAgentFile(file, raw);
}

/** Like readAgentFile, but a missing file is an error that says how to create one. */
export async function loadAgentFile(file: string): Promise<AgentFile> {
  const parsed = await readAgentFile(file);
  if (parsed === undefined) {
    throw new AgentConfigError(file, [{ key: '(file)', message: 'does not exist; run borealis-agent enroll first' }]);
  }
  return parsed;
}

export function parseAgentFile(file: string, raw: string): AgentFile {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new AgentConfigError(file, [{ key: '(file)', message: `is not valid JSON (${(err as Error).message})` }]);
  }
  return validateAgentFile(file, json);
}

export function validateAgentFile(file: string, value: unknown): AgentFile {
  const parsed = AgentFileSchema.safeParse(value);
  if (!parsed.success) throw new AgentConfigError(file, parsed.error.issues.flatMap(toProblems));
  return parsed.data;
}

function toProblems(issue: z.core.$ZodIssue): ConfigProblem[] {
  const base = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => ({ key: [...base, k].join('.'), message: 'is not a known key' }));
  }
  if (base.length === 0) return [{ key: '(file)', message: `must be a JSON object with the keys of agent-protocol.md §4.1 (${issue.message})` }];
  return [{ key: base.join('.'), message: issue.message }];
}
