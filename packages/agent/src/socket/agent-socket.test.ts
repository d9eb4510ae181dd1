// §5.1 client behaviour against the real engine over TLS: websocket only, the upgrade carries
// Authorization DPoP, a fresh DPoP proof (GET <server_url>/socket.io/) and the context header on
// every attempt (a new Manager each time), the engine's server_busy is retried after its
// retry_after_ms, and connect_agent registers the socket in the engine's device room.
import { hostname } from 'node:os';
import { Manager } from 'socket.io-client';
import type { Socket as EngineSocket } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAgentId, validateDpopProof, type ConnectAgent, type ConnectAgentAck } from '@borealis/protocol/agent';
import { decodeCompactJwsPayload } from '../../test/jws';
import { makeAgentRoot, removeAgentRoots } from '../../test/agent-root';
import { startEnrolledEngine, type EnrolledAgent, type EnrolledEngine } from '../../test/enrolled-engine';
import { manualRuntime } from '../../test/seeded-runtime';
import { createDeviceSession } from '../auth/device-session';
import { createAgentLog, silentLog, type AgentLog } from '../runtime/agent-log';
import { systemRuntime, type AgentRuntime } from '../runtime/runtime';
import type { AgentHttp } from '../transport/agent-http';
import { tlsTrustOptions } from '../transport/tls-trust';
import { createAgentSocket, type AgentSocket } from './agent-socket';

/**
 * The engine's injected clock: real time until frozen; while frozen it moves only when the test
 * moves it, so the engine's admission bucket (rate 1/s, burst 1) refills exactly when told.
 */
const engineClock = { frozenAt: undefined as number | undefined, now: () => new Date(engineClock.frozenAt ?? Date.now()) };
let e: EnrolledEngine;

beforeAll(async () => {
  // No paced queue: the one token of a frozen second is all, so the next upgrade is refused at once.
  e = await startEnrolledEngine(makeAgentRoot(), { clock: engineClock, env: { BOREALIS_AGENT_CONNECT_RATE: '1', BOREALIS_AGENT_CONNECT_QUEUE_MS: '0' } });
}, 120_000);
afterAll(async () => {
  await e?.close();
  removeAgentRoots();
});

interface Opened {
  readonly socket: AgentSocket;
  /** The agent's real transport; `upgrades` lists the headers it made for each upgrade attempt. */
  readonly upgrades: Array<Record<string, string>>;
  readonly acks: ConnectAgentAck[];
  /** isRegistered() as seen inside onRegistered. */
  readonly registeredInHandler: boolean[];
}

/** The agent's own socket client for an enrolled agent, on its real transport and device session. */
async function openSocket(agent: EnrolledAgent, runtime: AgentRuntime, log: AgentLog): Promise<Opened> {
  const file = await agent.store.load();
  const upgrades: Array<Record<string, string>> = [];
  const http: AgentHttp = {
    serverUrl: agent.http.serverUrl,
    send: (request) => agent.http.send(request),
    close: () => agent.http.close(),
    upgradeHeaders(token) {
      const headers = agent.http.upgradeHeaders(token);
      upgrades.push(headers);
      return headers;
    },
  };
  const session = await createDeviceSession({ http, store: agent.store, clock: agent.clock, runtime: systemRuntime, log: silentLog });
  const acks: ConnectAgentAck[] = [];
  const registeredInHandler: boolean[] = [];
  const socket: AgentSocket = createAgentSocket({
    serverUrl: file.server_url,
    trust: file.trust,
    http,
    session,
    clock: agent.clock,
    runtime,
    log,
    guid: agent.guid,
    registration: (): ConnectAgent => ({
      agent_id: formatAgentId(hostname(), agent.guid),
      guid: agent.guid,
      hostname: hostname(),
      service_mode: 'system',
      agent_version: '0.1.0',
      platform: 'linux',
      arch: 'x64',
      boot_id: '00000000-0000-4000-8000-000000000000',
      running_jobs: [],
      capabilities: { run_modes: ['system'], interpreters: [], remote_shell: { vpn: false, socket: false, pty: false }, vpn: { wireguard: false }, vnc: { server: null, session_type: null }, inventory_sections: ['software'], max_concurrent_jobs: 4 },
    }),
    handlers: {
      onRegistered(ack) {
        registeredInHandler.push(socket.isRegistered());
        acks.push(ack);
      },
      onDisconnected: () => undefined,
      onConfigChanged: () => undefined,
      onInventoryRefresh: () => undefined,
      onLifecycleError: () => undefined,
    },
  });
  socket.start();
  return { socket, upgrades, acks, registeredInHandler };
}

/** The engine's /agent sockets in the room of one device. */
function engineSocketsOf(guid: string): EngineSocket[] {
  return [...e.t.engine.ctx.realtime!.io.of('/agent').sockets.values()].filter((s) => s.rooms.has(`device:${guid}`));
}

describe('agent socket', () => {
  it('P13 (agent side), §5.1: a new upgrade with fresh DPoP headers per attempt, server_busy retried, connect_agent registers', async () => {
    const other = await e.enroll(makeAgentRoot());
    // The engine's time stands still from here, so its one admission token is not refilled behind the test's back.
    engineClock.frozenAt = Date.now();

    // Another agent takes the engine's one admission token of this second.
    const first = await openSocket(other, systemRuntime, silentLog);
    await until(() => first.acks.length === 1);

    // This agent's first upgrade in the same (frozen) second is refused by the engine's admission.
    const lines: Array<Record<string, unknown>> = [];
    const log = createAgentLog((line) => lines.push(JSON.parse(line) as Record<string, unknown>), 'debug');
    const runtime = manualRuntime(7, Date.now());
    const agent = await openSocket(e, runtime, log);
    await until(() => lines.some((l) => l.msg === 'socket reconnect scheduled'));
    const refused = lines.find((l) => l.msg === 'socket connect refused');
    expect(refused).toMatchObject({ reason: 'server_busy' });
    const retryAfterMs = refused!.retry_after_ms as number;
    expect(retryAfterMs).toBeGreaterThanOrEqual(5_000);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);
    const waitMs = lines.find((l) => l.msg === 'socket reconnect scheduled')!.wait_ms as number;
    expect(waitMs - retryAfterMs).toBeGreaterThanOrEqual(0);
    expect(waitMs - retryAfterMs).toBeLessThanOrEqual(1_000);
    expect(agent.upgrades).toHaveLength(1);
    expect(engineSocketsOf(e.guid)).toEqual([]);

    // A second passes on the engine: one token again. The agent does not try before retry_after_ms…
    engineClock.frozenAt += 1_000;
    await runtime.advance(retryAfterMs - 1);
    expect(agent.upgrades).toHaveLength(1);
    expect(runtime.pending()).toBe(1);
    // …and then builds a new upgrade, which the engine admits and registers.
    await runtime.advance(waitMs - retryAfterMs + 2);
    await until(() => agent.acks.length === 1);
    expect(agent.upgrades).toHaveLength(2);
    expect(agent.registeredInHandler).toEqual([true]);

    // What the engine sees: one websocket in this device's room, upgraded with the second attempt's headers.
    const accessToken = (await e.store.load()).tokens!.access_token;
    const [registered, ...more] = engineSocketsOf(e.guid);
    expect(more).toEqual([]);
    expect(registered!.conn.transport.name).toBe('websocket');
    const seen = registered!.handshake.headers;
    expect(seen.authorization).toBe(`DPoP ${accessToken}`);
    expect(seen['x-borealis-agent-context']).toBe('SYSTEM');
    expect(seen['user-agent']).toMatch(/^Borealis-Agent-TS\//);
    expect(seen.dpop).toBe(agent.upgrades[1]!.dpop);
    expect(engineSocketsOf(other.guid)).toHaveLength(1);

    // The connect_agent ack is the engine's: its config revision and the sections it holds no hash for.
    const [ack] = agent.acks;
    const config = (await e.http.send({ method: 'GET', path: '/api/agent/config', accessToken })).body as { revision: string };
    expect(ack).toMatchObject({ ok: true, config_revision: config.revision, inventory_wanted: ['software'] });
    expect(ack!.heartbeat_interval_s).toBeGreaterThan(0);

    // Each attempt had its own proof for GET <server_url>/socket.io/, bound to the access token.
    const jtis = new Set<string>();
    for (const headers of agent.upgrades) {
      expect(headers.authorization).toBe(`DPoP ${accessToken}`);
      expect(headers['x-borealis-agent-context']).toBe('SYSTEM');
      expect(headers['user-agent']).toMatch(/^Borealis-Agent-TS\//);
      const proof = validateDpopProof(headers.dpop, { method: 'GET', url: `${e.url}/socket.io/`, accessToken }, { clock: { now: () => new Date() } });
      expect(proof.ok).toBe(true);
      jtis.add((decodeCompactJwsPayload(String(headers.dpop)) as { jti: string }).jti);
    }
    expect(jtis.size).toBe(2);

    agent.socket.stop();
    first.socket.stop();
    await until(() => engineSocketsOf(e.guid).length === 0 && engineSocketsOf(other.guid).length === 0);

    // Why a fresh proof per attempt matters: the engine refuses the accepted proof presented again,
    // as the library's own reconnection (same Manager, same headers) would.
    engineClock.frozenAt += 1_000;
    expect(await upgradeRefusal(agent.upgrades[1]!)).toBe('dpop_replayed');
  }, 90_000);
});

/** One bare upgrade to /agent with the given headers; the engine's refusal code, or 'connected'. */
async function upgradeRefusal(headers: Record<string, string>): Promise<string> {
  const manager = new Manager(e.url, { path: '/socket.io/', transports: ['websocket'], reconnection: false, autoConnect: false, forceNew: true, timeout: 10_000, extraHeaders: headers, ...tlsTrustOptions({ mode: 'ca', engine_ca_pem: e.caPem }) });
  const socket = manager.socket('/agent');
  try {
    return await new Promise<string>((resolve) => {
      socket.on('connect', () => resolve('connected'));
      socket.on('connect_error', (err) => resolve(err.message));
      socket.connect();
    });
  } finally {
    socket.disconnect();
    manager.engine?.close();
  }
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached within 15 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}
