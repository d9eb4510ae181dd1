// Repository-wide checks that are part of `npm test`: strict type check, lint, and no focused
// or skipped tests left behind.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

function run(cmd: string, args: string[]): { ok: boolean; output: string } {
  try {
    return { ok: true, output: execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' }) };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return /\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('code quality', () => {
  // Generous limits: these are not speed checks, and a loaded 2-core machine takes minutes for tsc.
  it('type-checks every package in strict mode', { timeout: 600_000 }, () => {
    const result = run('npm', ['run', '--silent', 'typecheck']);
    expect(result.output.trim(), result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  it('passes lint', { timeout: 300_000 }, () => {
    const result = run('npx', ['eslint', '--max-warnings=0', '.']);
    expect(result.ok, result.output).toBe(true);
  });

  it('leaves no focused or skipped tests', () => {
    const offenders = [...testFiles(join(ROOT, 'packages')), ...testFiles(join(ROOT, 'test'))].filter((file) =>
      /\b(it|test|describe)\.(only|skip|todo)\(|\bx(it|describe)\(/.test(readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '')),
    );
    expect(offenders).toEqual([]);
  });
});
