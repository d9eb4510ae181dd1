// §4.5 config pulls over real HTTPS: If-None-Match with the held revision (304 keeps it), a new
// revision from an ack is pulled after U(0, 30 s), and at most once per 60 s.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeAgentRoot, removeAgentRoots } from '../../test/agent-root';
import { startHttpsStub, type HttpsStub } from '../../test/https-stub';
import { manualRuntime } from '../../test/seeded-runtime';
import { makeTestPki, type TestPki } from '../../test/tls-fixtures';
import { createDeviceSession } from '../auth/device-session';
import { deviceKeyFromIdentity, generateIdentity } from '../identity/device-key';
import { silentLog } from '../runtime/agent-log';
import { createAgentClock } from '../runtime/clock-offset';
import { createAgentStore } from '../state/agent-store';
import { createAgentHttp } from '../transport/agent-http';
import { createConfigPuller, PULL_MIN_GAP_MS } from './config-puller';

let pki: TestPki;
let stub: HttpsStub;
let revision = 'r1';
const config = (rev: string) => ({
  revision: rev,
  heartbeat_interval_s: 30,
  heartbeat_jitter_s: 5,
  inventory_check_interval_s: 300,
  software_interval_s: 3600,
  full_inventory_interval_s: 86_400,
  job_output_max_bytes: 1_048_576,
  max_concurrent_jobs: 4,
  log_level: 'info',
  roles: { remote_shell: { enabled: false, pty: false }, vpn: { mode: 'disabled' }, vnc: { enabled: false } },
  release_channel: 'stable',
  trust: {},
  signing_keys: [],
});

beforeAll(async () => {
  pki = makeTestPki();
  stub = await startHttpsStub({ key: pki.serverKey, cert: pki.serverCert }, (r) =>
    r.headers['if-none-match'] === `"${revision}"` ? { status: 304 } : { status: 200, body: config(revision), headers: { etag: `"${revision}"` } },
  );
});
afterAll(async () => {
  await stub.close();
  pki.remove();
});
afterEach(removeAgentRoots);

describe('config pulls (§4.5)', () => {
  it('sends If-None-Match, keeps the copy on 304, and spreads and limits pulls', async () => {
    const identity = generateIdentity();
    const store = createAgentStore({ paths: makeAgentRoot() });
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
    const runtime = manualRuntime(12, Date.now());
    const clock = createAgentClock({ now: Date.now });
    const http = createAgentHttp({ serverUrl, trust, privateKey: deviceKeyFromIdentity(identity).privateKey, clock });
    const session = await createDeviceSession({ http, store, clock, runtime, log: silentLog });
    const applied: string[] = [];
    const puller = createConfigPuller({ session, runtime, log: silentLog, apply: (c) => applied.push(c.revision), onLifecycleError: () => undefined });

    // An ack names r1: nothing happens at once; within 30 s the pull runs.
    puller.noteRevision('r1');
    expect(stub.seen).toHaveLength(0);
    await runtime.advance(30_000);
    await until(() => applied.length === 1);
    expect(applied).toEqual(['r1']);
    expect(stub.seen[0]?.headers['if-none-match']).toBeUndefined();

    // The same revision again: no pull. A direct pull sends If-None-Match and a 304 keeps r1.
    puller.noteRevision('r1');
    await runtime.advance(60_000);
    expect(stub.seen).toHaveLength(1);
    await puller.pullNow();
    expect(stub.seen[1]?.headers['if-none-match']).toBe('"r1"');
    expect(puller.revision()).toBe('r1');
    expect(applied).toEqual(['r1']);

    // r2 right after a pull: not before 60 s have passed since it.
    revision = 'r2';
    puller.noteRevision('r2');
    await runtime.advance(PULL_MIN_GAP_MS - 1000);
    expect(stub.seen).toHaveLength(2);
    await runtime.advance(2000);
    await until(() => applied.length === 2);
    expect(applied).toEqual(['r1', 'r2']);
    puller.stop();
    http.close();
  });
});

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached within 10 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}
