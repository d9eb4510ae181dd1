// Durable writes of agent.json: atomic replacement, exact modes, no temp files, serialised updates.

import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeAgentRoot, removeAgentRoots } from '../../test/agent-root';
import { createAgentStore } from './agent-store';
import { writeFileAtomic } from './atomic-write';
import { withFileLock } from './file-lock';

afterEach(removeAgentRoots);

const base = { schema_version: 1, server_url: 'https://rmm.example.com' } as const;
const GUID = 'A1B2C3D4-0000-4000-8000-000000000001';

describe('writeFileAtomic', () => {
  it('replaces the file with mode 0600 and leaves no temp file', async () => {
    const dir = makeAgentRoot().root;
    const file = join(dir, 'state.json');
    writeFileSync(file, 'old', { mode: 0o644 });
    await writeFileAtomic(file, 'new');
    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('removes its temp file when the rename fails and keeps the target', async () => {
    const dir = makeAgentRoot().root;
    const target = join(dir, 'busy');
    mkdirSync(join(target, 'child'), { recursive: true }); // renaming a file over a non-empty directory fails
    await expect(writeFileAtomic(target, 'data')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['busy']);
  });
});

describe('createAgentStore', () => {
  it('writes agent.json 0600 and leaves neither temp nor lock file', async () => {
    const store = createAgentStore({ paths: makeAgentRoot() });
    await store.update(() => base);
    await store.update((current) => ({ ...base, ...current, agent: { guid: GUID } }));
    expect(readdirSync(store.paths.configDir)).toEqual(['agent.json']);
    expect(statSync(store.paths.configFile).mode & 0o777).toBe(0o600);
    expect((await store.load()).agent?.guid).toBe(GUID);
  });

  it('never writes an invalid file', async () => {
    const store = createAgentStore({ paths: makeAgentRoot() });
    await store.update(() => base);
    await expect(store.update(() => ({ ...base, server_url: 'http://rmm.example.com' }))).rejects.toThrow('key "server_url"');
    expect((await store.load()).server_url).toBe('https://rmm.example.com');
    expect(readdirSync(store.paths.configDir)).toEqual(['agent.json']);
  });

  it('serialises concurrent updates under agent.json.lock, so none is lost', async () => {
    const store = createAgentStore({ paths: makeAgentRoot() });
    await store.update(() => base);
    await Promise.all([
      store.update((c) => ({ ...base, ...c, agent: { guid: GUID } })),
      store.update((c) => ({ ...base, ...c, enrollment_code: '0123456789abcdef0123456789abcdef' })),
      store.update((c) => ({ ...base, ...c, trust: { mode: 'system' } })),
    ]);
    const file = await store.load();
    expect(file.agent?.guid).toBe(GUID);
    expect(file.enrollment_code).toBe('0123-4567-89AB-CDEF-0123-4567-89AB-CDEF');
    expect(file.trust?.mode).toBe('system');
  });
});

describe('withFileLock', () => {
  it('takes over a lock left by a dead process', async () => {
    const paths = makeAgentRoot();
    mkdirSync(paths.configDir, { recursive: true });
    writeFileSync(paths.lockFile, '2147483646\n'); // no such pid
    await expect(withFileLock(paths.lockFile, async () => 'ran')).resolves.toBe('ran');
  });

  it('gives up on a lock a live process holds', async () => {
    const paths = makeAgentRoot();
    mkdirSync(paths.configDir, { recursive: true });
    writeFileSync(paths.lockFile, `${process.pid}\n`);
    await expect(withFileLock(paths.lockFile, async () => 'ran', { timeoutMs: 100, retryMs: 20 })).rejects.toThrow('held by another process');
  });
});
