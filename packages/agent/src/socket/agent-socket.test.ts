// §5.1 client behaviour against a real Socket.IO server over TLS: websocket only, the upgrade carries
// Authorization DPoP, a fresh DPoP proof (GET <server_url>/socket.io/) and the context header on
// every attempt (a new Manager each time), server_busy is retried after retry_after_ms, and
// connect_agent registers the socket.
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { Server } from 'socket.io';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateDpopProof, type ConnectAgent } from '@borealis/protocol/agent';
import { decodeCompactJwsPayload } from '../../test/jws';
import { makeAgentRoot, removeAgentRoots } from '../../test/agent-root';
import { makeTestPki, type TestPki } from '../../test/tls-fixtures';
import { createDeviceSession } from '../auth/device-session';
import { deviceKeyFromIdentity, generateIdentity } from '../identity/device-key';
import { silentLog } from '../runtime/agent-log';
import { createAgentClock } from '../runtime/clock-offset';
import { systemRuntime } from '../runtime/runtime';
import { createAgentStore } from '../state/agent-store';
import { createAgentHttp } from '../transport/agent-http';
import { createAgentSocket } from './agent-socket';

const GUID = 'A1B2C3D4-0000-4000-8000-000000000001';
let pki: TestPki;
let io: Server;
let port: number;
const upgrades: Array<{ headers: IncomingHttpHeaders; transport: string }> = [];
let busyLeft = 1;

beforeAll(async () => {
  pki = makeTestPki();
  const server = createServer({ key: pki.serverKey, cert: pki.serverCert });
  io = new Server(server, { transports: ['websocket'] });
  io.of('/agent').use((socket, next) => {
    upgrades.push({ headers: socket.handshake.headers, transport: socket.conn.transport.name });
    if (busyLeft > 0) {
      busyLeft -= 1;
      const err = new Error('server_busy') as Error & { data?: unknown };
      err.data = { code: 'server_busy', retry_after_ms: 20 };
      return next(err);
    }
    next();
  });
  io.of('/agent').on('connection', (socket) => {
    socket.on('connect_agent', (payload: ConnectAgent, ack: (answer: unknown) => void) => {
      ack({ ok: true, server_time: new Date().toISOString(), heartbeat_interval_s: 20, config_revision: 'r1', signing_key_id: null, inventory_wanted: payload.guid === GUID ? ['software'] : [] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => io.close(resolve));
  pki.remove();
});
afterEach(removeAgentRoots);

describe('agent socket', () => {
  it('P13 (agent side), §5.1: a new upgrade with fresh DPoP headers per attempt, server_busy retried, connect_agent registers', async () => {
    const identity = generateIdentity();
    const store = createAgentStore({ paths: makeAgentRoot() });
    const serverUrl = `https://127.0.0.1:${port}`;
    const trust = { mode: 'ca' as const, engine_ca_pem: pki.caPem };
    await store.update(() => ({
      schema_version: 1,
      server_url: serverUrl,
      identity,
      trust,
      agent: { guid: GUID },
      tokens: { access_token: 'access-1', access_expires_at: new Date(Date.now() + 800_000).toISOString(), refresh_token: 'r', refresh_expires_at: new Date(Date.now() + 86_400_000).toISOString() },
    }));
    const clock = createAgentClock({ now: Date.now });
    const http = createAgentHttp({ serverUrl, trust, privateKey: deviceKeyFromIdentity(identity).privateKey, clock });
    const session = await createDeviceSession({ http, store, clock, runtime: systemRuntime, log: silentLog });
    let wanted: readonly string[] = [];
    const registered = new Promise<void>((resolve) => {
      const socket = createAgentSocket({
        serverUrl,
        trust,
        http,
        session,
        clock,
        runtime: systemRuntime,
        log: silentLog,
        guid: GUID,
        registration: () => ({
          agent_id: `HOST_${GUID}_SYSTEM`,
          guid: GUID,
          hostname: 'host',
          service_mode: 'system',
          agent_version: '0.1.0',
          platform: 'linux',
          arch: 'x64',
          boot_id: '00000000-0000-4000-8000-000000000000',
          running_jobs: [],
          capabilities: { run_modes: ['system'], interpreters: [], remote_shell: { vpn: false, socket: false, pty: false }, vpn: { wireguard: false }, vnc: { server: null, session_type: null }, inventory_sections: [], max_concurrent_jobs: 4 },
        }),
        handlers: {
          onRegistered(ack) {
            wanted = ack.inventory_wanted;
            expect(socket.isRegistered()).toBe(true);
            socket.stop();
            resolve();
          },
          onDisconnected: () => undefined,
          onConfigChanged: () => undefined,
          onInventoryRefresh: () => undefined,
          onLifecycleError: () => undefined,
        },
      });
      socket.start();
    });
    await registered;
    expect(wanted).toEqual(['software']);
    expect(upgrades).toHaveLength(2);
    const jtis = new Set<string>();
    for (const upgrade of upgrades) {
      expect(upgrade.transport).toBe('websocket');
      expect(upgrade.headers.authorization).toBe('DPoP access-1');
      expect(upgrade.headers['x-borealis-agent-context']).toBe('SYSTEM');
      expect(upgrade.headers['user-agent']).toMatch(/^Borealis-Agent-TS\//);
      const proof = validateDpopProof(upgrade.headers.dpop, { method: 'GET', url: `${serverUrl}/socket.io/`, accessToken: 'access-1' }, { clock: { now: () => new Date() } });
      expect(proof.ok).toBe(true);
      jtis.add((decodeCompactJwsPayload(String(upgrade.headers.dpop)) as { jti: string }).jti);
    }
    expect(jtis.size).toBe(2);
    http.close();
  }, 60_000);
});
