// Test helpers: a throw-away BOREALIS_AGENT_ROOT per test, and the real `borealis-agent`
// executable spawned against it.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveAgentPaths, type AgentPaths } from '../src/paths/agent-paths';

export const BIN = fileURLToPath(new URL('../bin/borealis-agent.mjs', import.meta.url));
export const CA_FIXTURE = fileURLToPath(new URL('./fixtures/engine-ca.pem', import.meta.url));
export const VALID_CODE = '0123-4567-89ab-cdef-0123-4567-89AB-CDEF';

const roots: string[] = [];

/** A fresh root with its resolved paths; removed by `removeAgentRoots()`. */
export function makeAgentRoot(): AgentPaths {
  const root = mkdtempSync(join(tmpdir(), 'borealis-agent-'));
  roots.push(root);
  return resolveAgentPaths({ BOREALIS_AGENT_ROOT: root });
}

export function removeAgentRoots(): void {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
}

export interface AgentRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runAgent(paths: AgentPaths, args: readonly string[]): Promise<AgentRun> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BOREALIS_')));
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...env, BOREALIS_AGENT_ROOT: paths.root },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
