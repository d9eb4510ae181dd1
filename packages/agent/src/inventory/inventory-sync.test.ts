// P15 (agent side) against the real engine over TLS and with the real collectors: the first check
// uploads every section (full) and the engine stores it, an unchanged second check uploads nothing,
// a section asked for again is sent although unchanged, and a package database change sends software.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAgentId, INVENTORY_SECTIONS, InventoryUploadSchema } from '@borealis/protocol/agent';
import { makeAgentRoot, removeAgentRoots } from '../../test/agent-root';
import { recordingHttp, startEnrolledEngine, type EnrolledEngine } from '../../test/enrolled-engine';
import { manualRuntime } from '../../test/seeded-runtime';
import { createDeviceSession } from '../auth/device-session';
import { silentLog } from '../runtime/agent-log';
import { systemRuntime } from '../runtime/runtime';
import { createAgentStateFile } from '../state/agent-state';
import { createHostReader } from './host-reader';
import { createInventorySync } from './inventory-sync';

let e: EnrolledEngine;

beforeAll(async () => {
  e = await startEnrolledEngine(makeAgentRoot());
}, 120_000);
afterAll(async () => {
  await e?.close();
  removeAgentRoots();
});

/** What the agent daemon passes as its identity, for the enrolled device. */
async function identityOf(en: EnrolledEngine) {
  const file = await en.store.load();
  const hostname = 'module-test-host';
  return () => ({ agent_id: formatAgentId(hostname, file.agent!.guid!), hostname });
}

describe('inventory sync', () => {
  it('P15: full first, nothing when unchanged, and wanted sections again on request', async () => {
    const http = recordingHttp(e.http);
    const uploads = () => http.sent.filter((r) => r.path === '/api/agent/details');
    const session = await createDeviceSession({ http, store: e.store, clock: e.clock, runtime: systemRuntime, log: silentLog });
    const sync = createInventorySync({
      session,
      reader: createHostReader(),
      runtime: systemRuntime,
      clock: e.clock,
      state: createAgentStateFile(e.store.paths),
      log: silentLog,
      identity: await identityOf(e),
      onLifecycleError: () => undefined,
      watchPackages: false,
    });
    const stable = ['cpu', 'memory', 'software'] as const;

    expect(await sync.check(INVENTORY_SECTIONS, true)).toEqual([...INVENTORY_SECTIONS]);
    const first = InventoryUploadSchema.parse(uploads().at(-1)!.body);
    expect(first.full).toBe(true);
    expect(uploads().at(-1)!.status).toBe(200);
    expect(Object.keys(first.hashes).sort()).toEqual([...INVENTORY_SECTIONS].sort());
    expect(sync.hashes()).toEqual(first.hashes);
    // The engine stored what was sent: its inventory row holds the section hashes.
    const stored = await e.t.engine.ctx.db.selectFrom('device_inventory').selectAll().where('device_guid', '=', e.rowGuid).executeTakeFirst();
    expect(stored).toBeDefined();

    const before = uploads().length;
    expect(await sync.check(stable, false)).toEqual([]);
    expect(uploads().length).toBe(before); // an unchanged check sends no request at all

    // The engine lost `software` (say, a restore): asked for, it is sent although unchanged.
    expect(await sync.check(['software'], true)).toEqual(['software']);
    const again = InventoryUploadSchema.parse(uploads().at(-1)!.body);
    expect(Object.keys(again.details)).toEqual(['software']);
    expect(again.full).toBe(false);
    expect(uploads().at(-1)!.status).toBe(200);
    const state = await createAgentStateFile(e.store.paths).read();
    expect(state.inventory?.hashes).toEqual(sync.hashes());
    expect(state.inventory?.last_full_at).toBeDefined();
  }, 120_000);

  it('checks software within 60 s of a package database change', async () => {
    const http = recordingHttp(e.http);
    const uploads = () => http.sent.filter((r) => r.path === '/api/agent/details');
    const runtime = manualRuntime(5, Date.now());
    const session = await createDeviceSession({ http, store: e.store, clock: e.clock, runtime, log: silentLog });
    const dbDir = join(e.store.paths.root, 'var', 'lib', 'dpkg');
    mkdirSync(dbDir, { recursive: true });
    const dbFile = join(dbDir, 'status');
    writeFileSync(dbFile, 'Package: a\n');
    const state = createAgentStateFile(e.store.paths);
    const sync = createInventorySync({
      session,
      reader: createHostReader(),
      runtime,
      clock: e.clock,
      state,
      log: silentLog,
      identity: await identityOf(e),
      onLifecycleError: () => undefined,
      packageDatabases: [dbFile],
    });
    // The agent last sent software with another hash (the engine holds the previous test's upload).
    await state.update((s) => ({ ...s, inventory: { last_full_at: new Date().toISOString(), hashes: { ...s.inventory?.hashes, software: '0'.repeat(64) } } }));
    await sync.start({ fullFirst: false });
    const before = uploads().length;
    writeFileSync(dbFile, 'Package: a\nPackage: b\n');
    await new Promise((r) => setTimeout(r, 300)); // let inotify deliver the change
    await runtime.advance(60_000);
    const deadline = Date.now() + 30_000;
    while (uploads().length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // One upload, software only: the regular checks (first at U(0, 300 s)) have not run yet.
    expect(uploads().length).toBe(before + 1);
    const upload = InventoryUploadSchema.parse(uploads().at(-1)!.body);
    expect(Object.keys(upload.details)).toEqual(['software']);
    expect(uploads().at(-1)!.status).toBe(200);
    sync.stop();
  }, 120_000);
});
