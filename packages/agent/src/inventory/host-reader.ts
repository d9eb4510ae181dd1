// How collectors read the host: files under an optional root (/proc, /sys, /etc) and commands with a
// timeout. A missing file or a failing command is `undefined`, never an exception: inventory is
// best effort, and a section with unknown fields is still worth sending.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface HostReader {
  readText(path: string): Promise<string | undefined>;
  list(path: string): Promise<string[]>;
  run(command: string, args: readonly string[], timeoutMs?: number): Promise<string | undefined>;
}

export function createHostReader(root = '/'): HostReader {
  const at = (path: string) => (root === '/' ? path : join(root, path));
  return {
    async readText(path) {
      try {
        return await readFile(at(path), 'utf8');
      } catch {
        return undefined;
      }
    },
    async list(path) {
      try {
        return await readdir(at(path));
      } catch {
        return [];
      }
    },
    run(command, args, timeoutMs = 20_000) {
      return new Promise((resolve) => {
        execFile(command, [...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' } }, (err, stdout) => {
          resolve(err ? undefined : stdout);
        });
      });
    },
  };
}

export function clip(value: string | undefined | null, max = 255): string | null {
  if (value === undefined || value === null) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed.slice(0, max);
}

/** `KEY=value` lines (os-release, loginctl show-session). */
export function parseKeyValues(text: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    map.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return map;
}
