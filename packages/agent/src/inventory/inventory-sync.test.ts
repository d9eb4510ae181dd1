// P15 (agent side) through real HTTPS and the real collectors: the first check uploads every section
// (full), an unchanged second check uploads nothing, and sections the engine asks for are sent again
// even when unchanged. The TLS stand-in answers like the engine's /api/agent/details.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INVENTORY_SECTIONS, InventoryUploadSchema } from '@borealis/protocol/agent';
import { makeAgentRoot, removeAgentRoots } from '../../test/agent-root';
import { manualRuntime } from '../../test/seeded-runtime';
import { startHttpsStub, type HttpsStub } from '../../test/https-stub';
import { makeTestPki, type TestPki } from '../../test/tls-fixtures';
import { createDeviceSession } from '../auth/device-session';
import { deviceKeyFromIdentity, generateIdentity } from '../identity/device-key';
import { silentLog } from '../runtime/agent-log';
import { createAgentClock } from '../runtime/clock-offset';
import { systemRuntime } from '../runtime/runtime';
import { createAgentStateFile } from '../state/agent-state';
import { createAgentStore } from '../state/agent-store';
import { createAgentHttp } from '../transport/agent-http';
import { createHostReader } from './host-reader';
import { createInventorySync } from './inventory-sync';

let pki: TestPki;
let stub: HttpsStub;
let wanted: string[] = [];

beforeAll(async () => {
  pki = makeTestPki();
  stub = await startHttpsStub({ key: pki.serverKey, cert: pki.serverCert }, (r) => {
    const body = JSON.parse(r.body) as { details: Record<string, unknown> };
    const answer = { status: 200, body: { ok: true, stored: Object.keys(body.details), inventory_wanted: wanted } };
    wanted = [];
    return answer;
  });
});
afterAll(async () => {
  await stub.close();
  pki.remove();
});
afterEach(removeAgentRoots);

describe('inventory sync', () => {
  it('P15: full first, nothing when unchanged, and wanted sections again on request', async () => {
    const identity = generateIdentity();
    const paths = makeAgentRoot();
    const store = createAgentStore({ paths });
    const serverUrl = `https://127.0.0.1:${stub.port}`;
    const trust = { mode: 'ca' as const, engine_ca_pem: pki.caPem };
    await store.update(() => ({
      schema_version: 1,
      server_url: serverUrl,
      identity,
      trust,
      agent: { guid: 'A1B2C3D4-0000-4000-8000-000000000001' },
      tokens: { access_token: 'a', access_expires_at: new Date(Date.now() + 800_000).toISOString(), refresh_token: 'r', refresh_expires_at: new Date(Date.now() + 86_400_000).toISOString() },
    }));
    const clock = createAgentClock({ now: Date.now });
    const http = createAgentHttp({ serverUrl, trust, privateKey: deviceKeyFromIdentity(identity).privateKey, clock });
    const session = await createDeviceSession({ http, store, clock, runtime: systemRuntime, log: silentLog });
    const sync = createInventorySync({
      session,
      reader: createHostReader(),
      runtime: systemRuntime,
      clock,
      state: createAgentStateFile(paths),
      log: silentLog,
      identity: () => ({ agent_id: 'HOST_A1B2C3D4-0000-4000-8000-000000000001_SYSTEM', hostname: 'host' }),
      onLifecycleError: () => undefined,
      watchPackages: false,
    });
    const stable = ['cpu', 'memory', 'software'] as const;

    expect(await sync.check(INVENTORY_SECTIONS, true)).toEqual([...INVENTORY_SECTIONS]);
    const first = InventoryUploadSchema.parse(JSON.parse(stub.seen.at(-1)!.body));
    expect(first.full).toBe(true);
    expect(Object.keys(first.hashes).sort()).toEqual([...INVENTORY_SECTIONS].sort());
    expect(sync.hashes()).toEqual(first.hashes);

    const before = stub.seen.length;
    expect(await sync.check(stable, false)).toEqual([]);
    expect(stub.seen.length).toBe(before); // an unchanged check sends no request at all

    // The engine lost `software` (say, a restore): asked for, it is sent although unchanged.
    expect(await sync.check(['software'], true)).toEqual(['software']);
    const again = InventoryUploadSchema.parse(JSON.parse(stub.seen.at(-1)!.body));
    expect(Object.keys(again.details)).toEqual(['software']);
    expect(again.full).toBe(false);
    const state = await createAgentStateFile(paths).read();
    expect(state.inventory?.hashes).toEqual(sync.hashes());
    expect(state.inventory?.last_full_at).toBeDefined();
    http.close();
  }, 120_000);

  it('checks software within 60 s of a package database change', async () => {
    const identity = generateIdentity();
    const paths = makeAgentRoot();
    const store = createAgentStore({ paths });
    const serverUrl = `https://127.0.0.1:${stub.port}`;
    const trust = { mode: 'ca' as const, engine_ca_pem: pki.caPem };
    await store.update(() => ({
      schema_version: 1,
      server_url: serverUrl,
      identity,
      trust,
      agent: { guid: 'A1B2C3D4-0000-4000-8000-000000000001' },
      tokens: { access_token: 'a', access_expires_at: new Date(Date.now() + 800_000).toISOString(), refresh_token: 'r', refresh_expires_at: new Date(Date.now() + 86_400_000).toISOString() },
    }));
    const runtime = manualRuntime(5, Date.now());
    const clock = createAgentClock({ now: Date.now });
    const http = createAgentHttp({ serverUrl, trust, privateKey: deviceKeyFromIdentity(identity).privateKey, clock });
    const session = await createDeviceSession({ http, store, clock, runtime, log: silentLog });
    const dbDir = join(paths.root, 'var', 'lib', 'dpkg');
    mkdirSync(dbDir, { recursive: true });
    const dbFile = join(dbDir, 'status');
    writeFileSync(dbFile, 'Package: a\n');
    const state = createAgentStateFile(paths);
    // The engine already holds every section except software with a stale hash.
    const sync = createInventorySync({
      session,
      reader: createHostReader(),
      runtime,
      clock,
      state,
      log: silentLog,
      identity: () => ({ agent_id: 'HOST_A1B2C3D4-0000-4000-8000-000000000001_SYSTEM', hostname: 'host' }),
      onLifecycleError: () => undefined,
      packageDatabases: [dbFile],
    });
    await state.update((s) => ({ ...s, inventory: { last_full_at: new Date().toISOString(), hashes: { software: '0'.repeat(64) } } }));
    await sync.start({ fullFirst: false });
    const before = stub.seen.length;
    writeFileSync(dbFile, 'Package: a\nPackage: b\n');
    await new Promise((r) => setTimeout(r, 300)); // let inotify deliver the change
    await runtime.advance(60_000);
    const deadline = Date.now() + 30_000;
    while (stub.seen.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Exactly one upload, software only: the regular checks (first at U(0, 300 s)) have not run yet.
    expect(stub.seen.length).toBe(before + 1);
    const upload = InventoryUploadSchema.parse(JSON.parse(stub.seen.at(-1)!.body));
    expect(Object.keys(upload.details)).toEqual(['software']);
    sync.stop();
    http.close();
  }, 120_000);
});
