// A test agent built from @borealis/protocol/agent primitives: a device row inserted directly (the
// enrolment routes live elsewhere), its key, tokens, DPoP-signed REST calls and /agent sockets.

import { randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { v7 as uuidv7 } from 'uuid';
import {
  AGENT_NAMESPACE,
} from '@borealis/protocol';
import {
  createDpopProof,
  formatAgentId,
  generateEd25519KeyPair,
  jktFromKey,
  spkiFromKey,
  sslKeyFingerprint,
  type AuthClock,
  type Ed25519KeyPair,
} from '@borealis/protocol/agent';
import type { TestEngine } from './engine-harness';

export interface TestAgentOptions {
  readonly hostname?: string;
  readonly siteId?: number | null;
  readonly status?: 'active' | 'quarantined' | 'revoked' | 'decommissioned';
  /** The agent's clock for DPoP `iat` (defaults to the engine's clock). */
  readonly clock?: AuthClock;
}

export interface InjectResult {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly body: string;
  json<T = unknown>(): T;
}

/** Inserts a site the way the sites domain would (unique code hash, no code kept). */
export async function insertSite(t: TestEngine, name = `site-${randomBytes(3).toString('hex')}`): Promise<number> {
  const row = await t.engine.ctx.db.insertInto('sites').values({ name, enrollment_code_hash: randomBytes(32) }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export class TestAgent {
  readonly guid: string;
  readonly rowGuid: string;
  readonly hostname: string;
  readonly agentId: string;
  readonly keys: Ed25519KeyPair;
  readonly jkt: string;
  accessToken = '';
  refreshToken = '';
  clock: AuthClock;

  private constructor(
    public t: TestEngine,
    options: TestAgentOptions & { readonly guid?: string; readonly keys?: Ed25519KeyPair; readonly agentId?: string },
  ) {
    this.rowGuid = options.guid?.toLowerCase() ?? randomUUID();
    this.guid = this.rowGuid.toUpperCase();
    this.hostname = options.hostname ?? `host-${randomBytes(3).toString('hex')}`;
    this.agentId = options.agentId ?? formatAgentId(this.hostname, this.guid);
    this.keys = options.keys ?? generateEd25519KeyPair();
    this.jkt = jktFromKey(this.keys.publicKey);
    this.clock = options.clock ?? t.engine.ctx.clock;
  }

  /** An agent that enrolled through the enrolment routes, with the tokens finalize handed out. */
  static enrolled(
    t: TestEngine,
    input: { readonly guid: string; readonly hostname: string; readonly agentId: string; readonly keys: Ed25519KeyPair; readonly accessToken: string; readonly refreshToken: string },
  ): TestAgent {
    const agent = new TestAgent(t, input);
    agent.accessToken = input.accessToken;
    agent.refreshToken = input.refreshToken;
    return agent;
  }

  /** Inserts the device (row, key, heartbeat row) and issues a refresh family and access token. */
  static async create(t: TestEngine, options: TestAgentOptions = {}): Promise<TestAgent> {
    const agent = new TestAgent(t, options);
    const { db, clock } = t.engine.ctx;
    const now = clock.now();
    const spki = spkiFromKey(agent.keys.publicKey);
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('devices')
        .values({
          guid: agent.rowGuid,
          display_name: agent.hostname,
          hostname: agent.hostname,
          fqdn: null,
          description: null,
          site_id: options.siteId ?? null,
          status: options.status ?? 'active',
          status_reason: null,
          status_changed_at: null,
          status_changed_by: null,
          ssl_key_fingerprint: sslKeyFingerprint(spki),
          agent_id: agent.agentId,
          platform: 'linux',
          arch: 'x64',
          agent_version: '0.1.0',
          release_channel_override: null,
          operating_system: null,
          os_id: null,
          os_version: null,
          kernel: null,
          device_type: null,
          domain: null,
          virtualization: null,
          manufacturer: null,
          system_model: null,
          serial_number: null,
          cpu_model: null,
          logical_cores: null,
          total_ram_bytes: null,
          storage_free_percent: null,
          external_ip: null,
          machine_id_sha256: null,
          enrolled_at: now,
          last_enrollment_at: now,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await trx
        .insertInto('device_keys')
        .values({ id: uuidv7(), device_guid: agent.rowGuid, ssl_key_fingerprint: sslKeyFingerprint(spki), jkt: agent.jkt, public_key_spki: spki, added_at: now })
        .execute();
      await trx.insertInto('device_heartbeat_state').values({ device_guid: agent.rowGuid, written_at: now }).execute();
    });
    await agent.issueTokens();
    return agent;
  }

  /** Talk to another engine over the same database (a restart, another node). */
  useEngine(t: TestEngine): void {
    this.t = t;
    this.clock = t.engine.ctx.clock;
  }

  get trust() {
    return this.t.engine.ctx.security!.deviceTrust;
  }

  /** A fresh family and access token, as enrolment would hand out. */
  async issueTokens(): Promise<void> {
    const db = this.t.engine.ctx.db;
    const family = await this.trust.refreshTokens.issueFamily(db, { deviceGuid: this.rowGuid, jkt: this.jkt });
    const access = await this.trust.issueAccessToken(db, { guid: this.rowGuid, jkt: this.jkt });
    if (!access) throw new Error('device missing');
    this.refreshToken = family.token;
    this.accessToken = access.token;
  }

  proof(method: string, path: string, options: { accessToken?: string | null; nonce?: string; clock?: AuthClock; url?: string; key?: Ed25519KeyPair } = {}): string {
    const token = options.accessToken === undefined ? this.accessToken : (options.accessToken ?? undefined);
    return createDpopProof((options.key ?? this.keys).privateKey, {
      method,
      url: options.url ?? `${this.trust.origin()}${path}`,
      accessToken: token,
      nonce: options.nonce,
      clock: options.clock ?? this.clock,
    });
  }

  /** A device-authenticated REST call through app.inject (Authorization + a fresh DPoP proof). */
  async call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    options: { headers?: Record<string, string>; gzip?: boolean; dpop?: string | null; authorization?: string | null; rawBody?: Buffer | string } = {},
  ): Promise<InjectResult> {
    const headers: Record<string, string> = { 'user-agent': 'Borealis-Agent-TS/0.1.0 (linux; x64)', 'x-borealis-agent-context': 'SYSTEM' };
    const auth = options.authorization === undefined ? `DPoP ${this.accessToken}` : options.authorization;
    if (auth !== null) headers.authorization = auth;
    const dpop = options.dpop === undefined ? this.proof(method, path) : options.dpop;
    if (dpop !== null) headers.dpop = dpop;
    let payload: Buffer | string | undefined = options.rawBody;
    if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      if (options.gzip) {
        payload = gzipSync(payload);
        headers['content-encoding'] = 'gzip';
      }
    }
    const res = await this.t.engine.app!.inject({ method, url: path, headers: { ...headers, ...options.headers }, payload });
    return { statusCode: res.statusCode, headers: res.headers, body: res.body, json: <T>() => res.json() as T };
  }

  /** POST without Authorization (refresh, reauth). */
  async tokenCall(path: string, body: unknown, options: { nonce?: string; dpop?: string; key?: Ed25519KeyPair } = {}): Promise<InjectResult> {
    const dpop = options.dpop ?? this.proof('POST', path, { accessToken: null, nonce: options.nonce, key: options.key });
    return this.call('POST', path, body, { authorization: null, dpop });
  }

  async refresh(): Promise<InjectResult> {
    const res = await this.tokenCall('/api/agent/token/refresh', { guid: this.guid, refresh_token: this.refreshToken });
    if (res.statusCode === 200) {
      const body = res.json<{ access_token: string; refresh_token: string }>();
      this.accessToken = body.access_token;
      this.refreshToken = body.refresh_token;
    }
    return res;
  }

  /** Headers of a websocket upgrade (§5.1). */
  upgradeHeaders(options: { dpop?: string } = {}): Record<string, string> {
    return {
      authorization: `DPoP ${this.accessToken}`,
      dpop: options.dpop ?? this.proof('GET', '/socket.io/'),
      'x-borealis-agent-context': 'SYSTEM',
      'user-agent': 'Borealis-Agent-TS/0.1.0 (linux; x64)',
    };
  }

  connectPayload(overrides: Record<string, unknown> = {}) {
    return {
      agent_id: this.agentId,
      guid: this.guid,
      hostname: this.hostname,
      service_mode: 'system',
      agent_version: '0.1.0',
      platform: 'linux',
      arch: 'x64',
      boot_id: '6b0e5d4e-3f7b-4c2a-9a8e-1d2c3b4a5f60',
      running_jobs: [],
      capabilities: {
        run_modes: ['system'],
        interpreters: ['bash'],
        remote_shell: { vpn: false, socket: false, pty: false },
        vpn: { wireguard: false },
        vnc: { server: null, session_type: null },
        inventory_sections: ['summary', 'cpu', 'memory', 'storage', 'network', 'software'],
        max_concurrent_jobs: 4,
      },
      ...overrides,
    };
  }

  heartbeat(seq = 1, overrides: Record<string, unknown> = {}) {
    return {
      seq,
      sent_at: new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      agent_id: this.agentId,
      hostname: this.hostname,
      service_mode: 'system',
      agent_version: '0.1.0',
      release_channel: 'stable',
      boot_id: '6b0e5d4e-3f7b-4c2a-9a8e-1d2c3b4a5f60',
      uptime_s: 100 + seq,
      last_reboot: '2026-11-25T03:00:00Z',
      metrics: { cpu_percent: 12.5, memory_percent: 40, swap_percent: 0, load_1m: 0.5, load_5m: 0.4, load_15m: 0.3, process_count: 150 },
      disks: [{ drive: '/', usage: 41 }],
      last_user: 'alice',
      logged_in_users: ['alice'],
      internal_ip: '10.0.0.5',
      inventory_hashes: {},
      ...overrides,
    };
  }
}

export type ConnectOutcome = { readonly socket: Socket } | { readonly error: Error & { data?: { code?: string; retry_after_ms?: number } } };

/** One connection attempt with the given upgrade headers (no reconnection, websocket only). */
export function openAgentSocket(url: string, headers: Record<string, string>): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const socket = connectSocket(`${url}${AGENT_NAMESPACE}`, { transports: ['websocket'], reconnection: false, timeout: 5_000, extraHeaders: headers, forceNew: true });
    socket.on('connect', () => resolve({ socket }));
    socket.on('connect_error', (error) => {
      socket.close();
      resolve({ error: error as Error & { data?: { code?: string } } });
    });
  });
}

/** Connects and registers; throws when either step fails. */
export async function connectAgent(url: string, agent: TestAgent): Promise<{ socket: Socket; ack: Record<string, unknown> }> {
  const outcome = await openAgentSocket(url, agent.upgradeHeaders());
  if ('error' in outcome) throw new Error(`connect_error ${outcome.error.message}`);
  const ack = (await outcome.socket.timeout(5_000).emitWithAck('connect_agent', agent.connectPayload())) as Record<string, unknown>;
  if (ack.ok !== true) throw new Error(`connect_agent refused: ${JSON.stringify(ack)}`);
  return { socket: outcome.socket, ack };
}

/** Resolves with the disconnect reason, or rejects after `ms`. */
export function disconnected(socket: Socket, ms = 8_000): Promise<{ reason: string; engineReason?: string }> {
  let engineReason: string | undefined;
  socket.on('engine_disconnect', (p: { reason?: string }) => (engineReason = p.reason));
  return new Promise((resolve, reject) => {
    if (socket.disconnected) return resolve({ reason: 'already', engineReason });
    const timer = setTimeout(() => reject(new Error(`still connected after ${ms} ms`)), ms);
    socket.on('disconnect', (reason) => {
      clearTimeout(timer);
      resolve({ reason, engineReason });
    });
  });
}
