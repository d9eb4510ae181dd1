// Shared by the end-to-end tests that run the real single-file agent against a real engine:
// a free loopback port, spawning the bundle as a child with its own agent root, and polling.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';

export const WAIT_MS = 90_000;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const p = (server.address() as AddressInfo).port;
      server.close(() => resolve(p));
    });
  });
}

export interface Spawned {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs `node <bundle> ...args` with the agent rooted at `root`, no inherited BOREALIS_* settings; the child is added to `children` for cleanup. */
export function spawnAgentProcess(bundle: string, root: string, args: readonly string[], children: ChildProcess[]): Spawned {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BOREALIS_')));
  const child = spawn(process.execPath, [bundle, ...args], { env: { ...env, BOREALIS_AGENT_ROOT: root, BOREALIS_AGENT_LOG_LEVEL: 'debug' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** Polls `probe` every 200 ms until it answers a value; on timeout the error carries the agent's last output. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = WAIT_MS, context?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${context ? `\n--- agent output ---\n${context().slice(-4000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
