// migrations.lock.json: the SHA-256 of every released migration file. Released migrations are
// frozen; a changed byte fails the test suite (data-model.md DM2).

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
export const LOCK_FILE = join(dirname(fileURLToPath(import.meta.url)), 'migrations.lock.json');
export const SNAPSHOT_FILE = join(dirname(fileURLToPath(import.meta.url)), 'schema.snapshot.json');

/** Migration files on disk, by name without extension (`0001-core`). */
export function migrationFiles(): string[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{4}-[a-z0-9-]+\.ts$/.test(f))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
}

export function hashMigration(name: string): string {
  return createHash('sha256').update(readFileSync(join(MIGRATIONS_DIR, `${name}.ts`))).digest('hex');
}

export function readLock(): Record<string, string> {
  return JSON.parse(readFileSync(LOCK_FILE, 'utf8')) as Record<string, string>;
}
