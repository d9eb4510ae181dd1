// One virtual agent: its own Ed25519 key, enrolment with proofs, DPoP on every request, refresh
// rotation and reauth, its own Socket.IO connection with header auth (a new Manager per attempt,
// reconnection off), heartbeats, inventory deltas, quick jobs and the §5.2 reconnect policy.

import { randomBytes, type KeyObject } from 'node:crypto';
import type { Agent as HttpsAgent } from 'node:https';
import { Manager, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { AGENT_NAMESPACE } from '@borealis/protocol';
import {
  createDpopProof,
  encodeB64,
  formatAgentId,
  generateEd25519KeyPair,
  parseSpkiB64,
  signEnrollmentProof,
  spkiB64FromKey,
  type AuthClock,
  type ConnectAgentAck,
  type Ed25519KeyPair,
  type HeartbeatAck,
  type InventoryDetails,
  type InventoryHashes,
  type InventorySectionName,
} from '@borealis/protocol/agent';
import type { HttpReply, HttpTransport } from './http-transport';
import { changedSections, sectionHashes } from './inventory-hash';
import { createJobRunner, type JobBehaviour, type JobRunner } from './quick-jobs';
import {
  heartbeatDelayMs,
  RECONNECT_RESET_AFTER_MS,
  reconnectDelayMs,
  refreshAtMs,
  REST_MAX_TRIES,
  restBackoffMs,
  retryAfterDelayMs,
  type Random,
  type ReconnectCause,
} from './reconnect-policy';
import type { Samples } from './stats';
import { CHECKED_SECTIONS, type SyntheticHost } from './synthetic-host';

export const SIM_VERSION = '0.1.0';
export const USER_AGENT = `Borealis-Agent-Sim/${SIM_VERSION}`;
const ENROLL_REQUEST_PATH = '/api/agent/enroll/request';
const ENROLL_POLL_PATH = '/api/agent/enroll/poll';
const REFRESH_PATH = '/api/agent/token/refresh';
const REAUTH_PATH = '/api/agent/token/reauth';
const UPGRADE_PATH = '/socket.io/';
const INVENTORY_CHECK_MS = 300_000;

export type AgentState = 'new' | 'enrolling' | 'enrolled' | 'connecting' | 'online' | 'waiting' | 'stopped' | 'failed';

/** Shared by every agent of one fleet. */
export interface FleetRuntime {
  readonly http: HttpTransport;
  /** The engine origin (DPoP `htu` base and socket URL). */
  readonly origin: string;
  readonly ca?: string;
  /**
   * For the sockets' TLS: one secure context (the CA parsed once) for the whole fleet, and no
   * session cache, so every attempt is a full handshake as each real agent's would be.
   */
  readonly socketAgent?: HttpsAgent;
  readonly enrollmentCode: string;
  /** Corrected time (§0); resynced from `Date` after a dpop_invalid. */
  readonly clock: AuthClock & { resync(dateHeader: string | undefined): void };
  readonly random: Random;
  readonly jobs: JobBehaviour;
  /** Inventory checks: the first at U(0, this) after start, then every 300 s (§4.4). */
  readonly firstInventoryCheckMaxMs: number;
  readonly heartbeatJitterS: number;
  readonly stats: FleetCounters;
  readonly connectLatency: Samples;
  readonly heartbeatAckLatency: Samples;
  readonly onStateChange: (agent: VirtualAgent, from: AgentState, to: AgentState) => void;
}

export interface FleetCounters {
  count(name: string, by?: number): void;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; status: number; code: string; reply?: HttpReply };

const errorCodeOf = (reply: HttpReply): string => {
  const body = reply.body as { error?: { code?: unknown } } | null;
  return typeof body?.error?.code === 'string' ? body.error.code : `http_${reply.status}`;
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class VirtualAgent {
  state: AgentState = 'new';
  guid = '';
  agentId = '';
  siteId: number | null = null;
  readonly keys: Ed25519KeyPair;
  private accessToken = '';
  private accessExpiresAt = 0;
  private refreshToken = '';
  private signingKeys = new Map<string, KeyObject>();
  private socket: Socket | null = null;
  private manager: Manager | null = null;
  private registeredAt = 0;
  private attempt = 0;
  private seq = 0;
  private heartbeatIntervalS = 20;
  private configRevision = '';
  private storedHashes: InventoryHashes = {};
  private inventoryCheck = 0;
  private uploading = false;
  private pendingCause: ReconnectCause | null = null;
  private timers = new Set<NodeJS.Timeout>();
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private refreshing: Promise<boolean> | null = null;
  private readonly jobs: JobRunner;
  private stopped = false;
  heartbeatsAcked = 0;
  /** Enrolment finished at least once (completion time for the enroll scenario). */
  enrolledAt = 0;

  constructor(
    readonly index: number,
    readonly host: SyntheticHost,
    private readonly rt: FleetRuntime,
    private readonly localAddress: string | undefined,
  ) {
    this.keys = generateEd25519KeyPair();
    this.jobs = createJobRunner({
      deviceGuid: () => this.guid,
      signingKeys: () => this.signingKeys,
      now: () => rt.clock.now().getTime(),
      behaviour: rt.jobs,
      emit: (event, payload, timeoutMs) => {
        const socket = this.socket;
        if (!socket?.connected || this.state !== 'online') return Promise.reject(new Error('offline'));
        return socket.timeout(timeoutMs).emitWithAck(event, payload);
      },
      onAccepted: () => rt.stats.count('jobs_accepted'),
      onResultAcked: () => rt.stats.count('job_results_acked'),
    });
  }

  // ---- lifecycle -------------------------------------------------------------------------

  /** Enrol (unless already), get connected, and keep going until stop(). */
  async start(): Promise<void> {
    if (!this.guid) {
      const ok = await this.enrol();
      if (!ok) return;
    }
    this.scheduleInventoryChecks();
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.jobs.stop();
    this.closeSocket();
    this.setState('stopped');
  }

  private setState(to: AgentState): void {
    if (this.state === to || (this.state === 'stopped' && to !== 'stopped')) return;
    const from = this.state;
    this.state = to;
    this.rt.onStateChange(this, from, to);
  }

  private later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  // ---- REST ------------------------------------------------------------------------------

  private proof(method: string, path: string, options: { accessToken?: string; nonce?: string } = {}): string {
    return createDpopProof(this.keys.privateKey, { method, url: `${this.rt.origin}${path}`, accessToken: options.accessToken, nonce: options.nonce, clock: this.rt.clock });
  }

  private baseHeaders(): Record<string, string> {
    return { 'user-agent': USER_AGENT, 'x-borealis-agent-context': 'SYSTEM' };
  }

  /**
   * One REST operation with the §3.3 reactions: 5xx and network errors back off with full jitter
   * (5 tries), 429 waits Retry-After + U(0, 1 s), dpop_invalid resyncs the clock and retries once.
   */
  private async send(method: 'GET' | 'POST', path: string, body: unknown, headers: () => Record<string, string>, timeoutMs = 30_000): Promise<HttpReply | null> {
    let dpopRetried = false;
    for (let attempt = 0; attempt < REST_MAX_TRIES && !this.stopped; attempt += 1) {
      let reply: HttpReply;
      try {
        reply = await this.rt.http.send({ method, path, headers: () => ({ ...this.baseHeaders(), ...headers() }), body, localAddress: this.localAddress, timeoutMs });
      } catch {
        this.rt.stats.count('http_network_errors');
        await sleep(restBackoffMs(attempt, this.rt.random));
        continue;
      }
      if (reply.status >= 500) {
        this.rt.stats.count(`http_${reply.status}`);
        await sleep(restBackoffMs(attempt, this.rt.random));
        continue;
      }
      if (reply.status === 429) {
        this.rt.stats.count('http_429');
        const retryAfter = Number(reply.headers['retry-after'] ?? '1');
        await sleep(retryAfterDelayMs(Number.isFinite(retryAfter) ? retryAfter : 1, this.rt.random));
        attempt -= 1; // rate limits are waited out, not counted as failures
        continue;
      }
      const code = reply.status === 401 ? errorCodeOf(reply) : '';
      if ((code === 'dpop_invalid' || code === 'dpop_replayed') && !dpopRetried) {
        dpopRetried = true;
        this.rt.clock.resync(reply.headers.date);
        attempt -= 1;
        continue;
      }
      return reply;
    }
    return null;
  }

  /** A device-authenticated call: on token_expired / token_version_mismatch / invalid_token refresh and retry once. */
  private async deviceCall<T>(method: 'GET' | 'POST', path: string, body: unknown, timeoutMs = 30_000): Promise<Outcome<T>> {
    for (let round = 0; round < 2; round += 1) {
      const reply = await this.send(method, path, body, () => ({ authorization: `DPoP ${this.accessToken}`, dpop: this.proof(method, path, { accessToken: this.accessToken }) }), timeoutMs);
      if (!reply) return { ok: false, status: 0, code: 'unreachable' };
      if (reply.status === 200 || reply.status === 304) return { ok: true, value: reply.body as T };
      const code = errorCodeOf(reply);
      if (round === 0 && reply.status === 401 && ['token_expired', 'token_version_mismatch', 'invalid_token'].includes(code)) {
        if (await this.refresh()) continue;
      }
      this.onAuthFailure(code);
      return { ok: false, status: reply.status, code, reply };
    }
    return { ok: false, status: 401, code: 'token_expired' };
  }

  /** §3.3 table: purge/not-found/fingerprint → re-enrol, revoked → stop. */
  private onAuthFailure(code: string): void {
    if (code === 'device_revoked') {
      this.rt.stats.count('device_revoked');
      this.halt('failed');
    } else if (['device_purged', 'device_not_found', 'fingerprint_mismatch'].includes(code)) {
      this.rt.stats.count(`reenrol_${code}`);
      this.guid = '';
      this.closeSocket();
      this.later(1_000 + this.rt.random() * 2_000, () => void this.start());
    }
  }

  private halt(state: AgentState): void {
    this.closeSocket();
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.stopped = true;
    this.setState(state);
  }

  // ---- enrolment (§2.3, §2.4) ------------------------------------------------------------

  private async enrol(): Promise<boolean> {
    this.setState('enrolling');
    for (let round = 0; round < 20 && !this.stopped; round += 1) {
      const clientNonce = randomBytes(32);
      const requestBody = {
        hostname: this.host.hostname,
        fqdn: `${this.host.hostname}.corp.example`,
        enrollment_code: this.rt.enrollmentCode,
        agent_pubkey: spkiB64FromKey(this.keys.publicKey),
        client_nonce: encodeB64(clientNonce),
        agent_version: SIM_VERSION,
        platform: 'linux',
        arch: 'x64',
        machine_id_sha256: this.host.machineIdSha256,
      };
      const reply = await this.send('POST', ENROLL_REQUEST_PATH, requestBody, () => ({ dpop: this.proof('POST', ENROLL_REQUEST_PATH) }));
      if (!reply || reply.status !== 200) {
        const code = reply ? errorCodeOf(reply) : 'unreachable';
        this.rt.stats.count(`enroll_request_${code}`);
        if (reply?.status === 403) return this.enrolFailed(); // wrong code: a real agent waits 1 h or for a new code
        await sleep(restBackoffMs(Math.min(round, 5), this.rt.random));
        continue;
      }
      const request = reply.body as { approval_reference: string; server_nonce: string; poll_after_ms: number; signing_key: string; signing_key_id: string };
      const proofSig = signEnrollmentProof(this.keys.privateKey, { serverNonce: request.server_nonce, approvalReference: request.approval_reference, clientNonce });
      let waitMs = request.poll_after_ms;
      for (;;) {
        if (this.stopped) return false;
        if (waitMs > 0) await sleep(waitMs * (0.9 + this.rt.random() * 0.2));
        const poll = await this.send('POST', ENROLL_POLL_PATH, { approval_reference: request.approval_reference, client_nonce: encodeB64(clientNonce), proof_sig: proofSig }, () => ({ dpop: this.proof('POST', ENROLL_POLL_PATH) }));
        if (!poll) {
          this.rt.stats.count('enroll_poll_unreachable');
          break;
        }
        const body = poll.body as { status?: string; poll_after_ms?: number; guid?: string; agent_id?: string; site_id?: number; access_token?: string; refresh_token?: string; expires_in?: number; signing_key?: string; signing_key_id?: string };
        if (poll.status !== 200) {
          this.rt.stats.count(`enroll_poll_${errorCodeOf(poll)}`);
          break; // 404 / proof_invalid → a new request (§2.2)
        }
        if (body.status === 'pending') {
          waitMs = body.poll_after_ms ?? 5_000;
          continue;
        }
        if (body.status === 'approved' && body.guid && body.access_token && body.refresh_token) {
          this.guid = body.guid;
          this.agentId = body.agent_id ?? formatAgentId(this.host.hostname, body.guid);
          this.siteId = body.site_id ?? null;
          const signing = body.signing_key ? parseSpkiB64(body.signing_key) : undefined;
          if (signing && body.signing_key_id) this.signingKeys.set(body.signing_key_id, signing.publicKey);
          this.takeTokens(body.access_token, body.refresh_token, body.expires_in ?? 900);
          this.storedHashes = {};
          this.enrolledAt = Date.now();
          this.rt.stats.count('enrolled');
          this.setState('enrolled');
          return true;
        }
        if (body.status === 'completed' && body.guid) {
          // Our approved answer was lost (a timeout or a 5xx after the commit): tokens are never
          // shown twice, so recover through reauth with the enrolling key (§2.4, §3.5).
          this.guid = body.guid;
          this.agentId = formatAgentId(this.host.hostname, body.guid);
          const signing = parseSpkiB64(request.signing_key);
          if (signing) this.signingKeys.set(request.signing_key_id, signing.publicKey);
          if (await this.reauth(undefined)) {
            this.storedHashes = {};
            this.enrolledAt = Date.now();
            this.rt.stats.count('enrolled');
            this.rt.stats.count('enrolled_via_reauth');
            this.setState('enrolled');
            return true;
          }
          this.guid = '';
          break;
        }
        if (body.status === 'denied') return this.enrolFailed();
        this.rt.stats.count(`enroll_poll_status_${body.status ?? 'unknown'}`);
        break; // expired / completed without tokens → request again
      }
    }
    return this.enrolFailed();
  }

  private enrolFailed(): false {
    this.rt.stats.count('enroll_failed');
    this.halt('failed');
    return false;
  }

  // ---- tokens (§3.1, §3.4, §3.5) ---------------------------------------------------------

  private takeTokens(access: string, refresh: string, expiresInS: number): void {
    this.accessToken = access;
    this.accessExpiresAt = Date.now() + expiresInS * 1000 - 5_000;
    this.refreshToken = refresh;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    const issued = Date.now();
    const at = refreshAtMs(issued, expiresInS, this.rt.random);
    this.refreshTimer = setTimeout(() => void this.refresh(), Math.max(1_000, at - issued));
  }

  /** Rotates the refresh token; falls back to reauth when the family is gone. One refresh at a time. */
  refresh(): Promise<boolean> {
    if (this.refreshing) return this.refreshing;
    this.refreshing = (async () => {
      const reply = await this.send('POST', REFRESH_PATH, { guid: this.guid, refresh_token: this.refreshToken }, () => ({ dpop: this.proof('POST', REFRESH_PATH) }));
      if (!reply) {
        // Engine unreachable: try again later; the socket (if any) stays authorised meanwhile.
        if (this.refreshTimer) clearTimeout(this.refreshTimer);
        this.refreshTimer = setTimeout(() => void this.refresh(), 10_000 + this.rt.random() * 20_000);
        return false;
      }
      if (reply.status === 200) {
        const body = reply.body as { access_token: string; refresh_token: string; expires_in: number };
        this.takeTokens(body.access_token, body.refresh_token, body.expires_in);
        this.rt.stats.count('refreshes');
        return true;
      }
      const code = errorCodeOf(reply);
      this.rt.stats.count(`refresh_${code}`);
      if (['invalid_refresh_token', 'refresh_token_expired', 'refresh_token_revoked', 'refresh_token_reused'].includes(code)) {
        return this.reauth(reply.headers['dpop-nonce']);
      }
      this.onAuthFailure(code);
      return false;
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async reauth(nonceHeader: string | string[] | undefined): Promise<boolean> {
    let nonce = typeof nonceHeader === 'string' ? nonceHeader : undefined;
    for (let round = 0; round < 2; round += 1) {
      const reply = await this.send('POST', REAUTH_PATH, { guid: this.guid }, () => ({ dpop: this.proof('POST', REAUTH_PATH, nonce ? { nonce } : {}) }));
      if (!reply) return false;
      if (reply.status === 200) {
        const body = reply.body as { access_token: string; refresh_token: string; expires_in: number };
        this.takeTokens(body.access_token, body.refresh_token, body.expires_in);
        this.rt.stats.count('reauths');
        return true;
      }
      const code = errorCodeOf(reply);
      if (code === 'use_dpop_nonce' && round === 0) {
        const fresh = reply.headers['dpop-nonce'];
        nonce = typeof fresh === 'string' ? fresh : undefined;
        continue;
      }
      this.rt.stats.count(`reauth_${code}`);
      this.onAuthFailure(code);
      return false;
    }
    return false;
  }

  // ---- socket (§5) -----------------------------------------------------------------------

  private closeSocket(): void {
    const socket = this.socket;
    const manager = this.manager;
    this.socket = null;
    this.manager = null;
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
    socket?.removeAllListeners();
    socket?.disconnect();
    manager?.engine?.close();
  }

  /** One connection attempt with fresh upgrade headers (a proof works once, §5.1). */
  private connect(): void {
    if (this.stopped) return;
    this.setState('connecting');
    const startedAt = performance.now();
    const headers = {
      ...this.baseHeaders(),
      authorization: `DPoP ${this.accessToken}`,
      dpop: this.proof('GET', UPGRADE_PATH, { accessToken: this.accessToken }),
    };
    // engine.io-client types `agent` as string | boolean, but its Node transport hands it to ws as is.
    const options: Omit<Partial<ManagerOptions & SocketOptions>, 'agent'> & { localAddress?: string; agent?: HttpsAgent } = {
      path: UPGRADE_PATH,
      transports: ['websocket'],
      reconnection: false,
      timeout: 20_000,
      extraHeaders: headers,
      ...(this.rt.socketAgent ? { agent: this.rt.socketAgent } : this.rt.ca ? { ca: this.rt.ca } : {}),
      ...(this.localAddress ? { localAddress: this.localAddress } : {}),
    };
    const manager = new Manager(this.rt.origin, options as Partial<ManagerOptions & SocketOptions>);
    const socket = manager.socket(AGENT_NAMESPACE);
    this.manager = manager;
    this.socket = socket;

    socket.on('connect', () => {
      void (async () => {
        try {
          const ack = (await socket.timeout(10_000).emitWithAck('connect_agent', this.connectPayload())) as ConnectAgentAck | { ok: false; error: { code: string; retry_after_ms?: number } };
          if (this.socket !== socket) return;
          if (!ack.ok) {
            this.rt.stats.count(`connect_agent_${ack.error.code}`);
            if (ack.error.code === 'server_busy') {
              this.closeSocket();
              return this.retry({ kind: 'server_busy', retryAfterMs: ack.error.retry_after_ms ?? 5_000 });
            }
            this.onAuthFailure(ack.error.code);
            socket.disconnect();
            return;
          }
          this.registeredAt = Date.now();
          this.rt.connectLatency.add(performance.now() - startedAt);
          this.rt.stats.count('registrations');
          this.setState('online');
          this.heartbeatIntervalS = ack.heartbeat_interval_s;
          this.noteConfigRevision(ack.config_revision);
          this.later(RECONNECT_RESET_AFTER_MS, () => {
            if (this.socket === socket && socket.connected) this.attempt = 0;
          });
          this.jobs.resendUnacked();
          this.sendHeartbeat(); // the first beat at once (§4.1 step 8)
          if (ack.inventory_wanted.length) void this.uploadInventory(ack.inventory_wanted);
        } catch {
          this.rt.stats.count('connect_agent_timeout');
          if (this.socket === socket) socket.disconnect();
        }
      })();
    });

    socket.on('connect_error', (err: Error & { data?: { code?: string; retry_after_ms?: number } }) => {
      if (this.socket !== socket) return;
      const code = err.data?.code ?? 'network';
      this.rt.stats.count(`connect_error_${code}`);
      this.closeSocket();
      if (code === 'server_busy') return this.retry({ kind: 'server_busy', retryAfterMs: err.data?.retry_after_ms ?? 5_000 });
      if (['token_expired', 'token_version_mismatch', 'invalid_token'].includes(code)) return void this.refreshThenRetry();
      if (code === 'dpop_invalid' || code === 'dpop_replayed') return this.retry({ kind: 'lost' });
      if (code === 'device_revoked') return this.onAuthFailure(code);
      if (['device_purged', 'device_not_found', 'fingerprint_mismatch'].includes(code)) return this.onAuthFailure(code);
      this.retry({ kind: 'lost' });
    });

    socket.on('engine_shutdown', (p: { reconnect_window_ms?: number }) => {
      this.pendingCause = { kind: 'engine_shutdown', reconnectWindowMs: p?.reconnect_window_ms ?? 10_000 };
    });
    socket.on('engine_disconnect', (p: { reason?: string }) => {
      this.rt.stats.count(`engine_disconnect_${p?.reason ?? 'unknown'}`);
      if (p?.reason === 'reauth_required') this.pendingCause = { kind: 'token_refreshed' };
    });
    socket.on('quick_job_run', (payload: unknown, ack?: (answer: unknown) => void) => {
      ack?.(this.jobs.accept(payload));
    });
    socket.on('quick_job_cancel', (payload: unknown, ack?: (answer: unknown) => void) => {
      ack?.(this.jobs.cancel(payload));
    });
    socket.on('agent_config_changed', (p: { revision?: string }) => {
      if (p?.revision) this.noteConfigRevision(p.revision);
    });

    socket.on('disconnect', (reason) => {
      if (this.socket !== socket) return;
      this.rt.stats.count(`disconnect_${reason.replace(/ /g, '_')}`);
      this.closeSocket();
      const cause = this.pendingCause ?? { kind: 'lost' as const };
      this.pendingCause = null;
      if (cause.kind === 'token_refreshed') return void this.refreshThenRetry();
      this.retry(cause);
    });
  }

  private async refreshThenRetry(): Promise<void> {
    this.setState('waiting');
    await this.refresh();
    this.retry({ kind: 'token_refreshed' });
  }

  private retry(cause: ReconnectCause): void {
    if (this.stopped) return;
    if (cause.kind === 'lost') this.attempt += 1;
    const delay = reconnectDelayMs(cause, Math.max(1, this.attempt), this.rt.random);
    if (delay === null) return this.halt('failed');
    this.setState('waiting');
    this.later(delay, () => {
      // §3.1: refresh when under 60 s remain before using the token for the upgrade.
      if (this.accessExpiresAt - Date.now() < 60_000) void this.refresh().then(() => this.connect());
      else this.connect();
    });
  }

  private connectPayload() {
    return {
      agent_id: this.agentId,
      guid: this.guid,
      hostname: this.host.hostname,
      service_mode: 'system' as const,
      agent_version: SIM_VERSION,
      platform: 'linux' as const,
      arch: 'x64' as const,
      boot_id: this.host.bootId,
      running_jobs: this.jobs.runningJobs(),
      capabilities: {
        run_modes: ['system' as const],
        interpreters: ['bash', 'sh'],
        remote_shell: { vpn: false, socket: false, pty: false },
        vpn: { wireguard: false },
        vnc: { server: null, session_type: null },
        inventory_sections: [...CHECKED_SECTIONS],
        max_concurrent_jobs: 4,
      },
    };
  }

  // ---- heartbeat (§4.3) ------------------------------------------------------------------

  private heartbeatBody() {
    const now = this.rt.clock.now();
    const m = this.host.metrics(now.getTime());
    this.seq += 1;
    return {
      seq: this.seq,
      sent_at: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      agent_id: this.agentId,
      hostname: this.host.hostname,
      service_mode: 'system' as const,
      agent_version: SIM_VERSION,
      release_channel: 'stable',
      boot_id: this.host.bootId,
      uptime_s: Math.max(0, Math.floor((now.getTime() - Date.parse(this.host.lastReboot)) / 1000)),
      last_reboot: this.host.lastReboot,
      metrics: { cpu_percent: m.cpu, memory_percent: m.memory, swap_percent: m.swap, load_1m: m.load[0], load_5m: m.load[1], load_15m: m.load[2], process_count: m.processes },
      disks: [
        { drive: '/', usage: 40 + (this.index % 50) },
        { drive: '/boot/efi', usage: 10 },
      ],
      last_user: this.host.users.at(-1) ?? null,
      logged_in_users: [...this.host.users],
      internal_ip: this.host.internalIp,
      inventory_hashes: this.storedHashes,
    };
  }

  private scheduleHeartbeat(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = setTimeout(() => this.sendHeartbeat(), heartbeatDelayMs(this.heartbeatIntervalS, this.rt.heartbeatJitterS, this.rt.random));
  }

  private sendHeartbeat(): void {
    if (this.stopped) return;
    this.scheduleHeartbeat();
    const socket = this.socket;
    const body = this.heartbeatBody();
    if (!socket?.connected || this.state !== 'online') {
      // REST fallback only while the socket is down; tried once, no retry (§4.3).
      if (this.state === 'waiting') void this.restHeartbeat(body);
      return;
    }
    const sent = performance.now();
    socket
      .timeout(10_000)
      .emitWithAck('agent_heartbeat', body)
      .then((ack: HeartbeatAck | { ok: false; error: { code: string } }) => {
        if (!ack.ok) {
          this.rt.stats.count(`heartbeat_error_${ack.error.code}`);
          return;
        }
        this.rt.heartbeatAckLatency.add(performance.now() - sent);
        this.rt.stats.count('heartbeats_acked');
        this.heartbeatsAcked += 1;
        this.onHeartbeatAck(ack);
      })
      .catch(() => this.rt.stats.count('heartbeat_ack_timeouts'));
  }

  private async restHeartbeat(body: ReturnType<VirtualAgent['heartbeatBody']>): Promise<void> {
    try {
      const reply = await this.rt.http.send({
        method: 'POST',
        path: '/api/agent/heartbeat',
        headers: () => ({ ...this.baseHeaders(), authorization: `DPoP ${this.accessToken}`, dpop: this.proof('POST', '/api/agent/heartbeat', { accessToken: this.accessToken }) }),
        body,
        localAddress: this.localAddress,
      });
      this.rt.stats.count(reply.status === 200 ? 'rest_heartbeats' : `rest_heartbeat_${errorCodeOf(reply)}`);
    } catch {
      this.rt.stats.count('rest_heartbeat_unreachable');
    }
  }

  private onHeartbeatAck(ack: HeartbeatAck): void {
    if (ack.heartbeat_interval_s !== this.heartbeatIntervalS) this.heartbeatIntervalS = ack.heartbeat_interval_s;
    this.noteConfigRevision(ack.config_revision);
    if (ack.inventory_wanted.length) void this.uploadInventory(ack.inventory_wanted);
  }

  private configPulledAt = 0;
  /** §4.5: a new revision is pulled after U(0, 30 s), at most once per 60 s. */
  private noteConfigRevision(revision: string): void {
    if (!this.configRevision) {
      this.configRevision = revision;
      return;
    }
    if (revision === this.configRevision) return;
    const wait = Math.max(this.rt.random() * 30_000, this.configPulledAt + 60_000 - Date.now());
    this.later(wait, () => {
      this.configPulledAt = Date.now();
      void this.deviceCall<{ revision?: string; heartbeat_interval_s?: number }>('GET', '/api/agent/config', undefined).then((r) => {
        if (r.ok && r.value?.revision) this.configRevision = r.value.revision;
        this.rt.stats.count(r.ok ? 'config_pulls' : `config_pull_${r.code}`);
      });
    });
  }

  // ---- inventory (§4.4) ------------------------------------------------------------------

  private scheduleInventoryChecks(): void {
    const first = this.rt.random() * this.rt.firstInventoryCheckMaxMs;
    const tick = () => {
      this.inventoryCheck += 1;
      void this.uploadInventory(null);
      this.later(INVENTORY_CHECK_MS, tick);
    };
    this.later(first, tick);
  }

  /** `wanted` = sections the engine asked for; null = a periodic check (send what changed). */
  async uploadInventory(wanted: readonly InventorySectionName[] | null): Promise<void> {
    if (this.uploading || !this.guid) return;
    this.uploading = true;
    try {
      const all = this.host.sections(this.inventoryCheck);
      const hashes = sectionHashes(all);
      const names = new Set<InventorySectionName>(changedSections(hashes, this.storedHashes));
      for (const w of wanted ?? []) if (hashes[w]) names.add(w);
      if (!names.size) return;
      const details: InventoryDetails = {};
      const sentHashes: InventoryHashes = {};
      for (const name of names) {
        (details as Record<string, unknown>)[name] = all[name];
        sentHashes[name] = hashes[name];
      }
      const full = names.size === Object.keys(hashes).length;
      const body = { agent_id: this.agentId, hostname: this.host.hostname, collected_at: this.rt.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z'), full, details, hashes: sentHashes };
      const result = await this.deviceCall<{ stored: InventorySectionName[] }>('POST', '/api/agent/details', body, 60_000);
      if (result.ok) {
        for (const s of result.value.stored ?? []) if (sentHashes[s]) this.storedHashes = { ...this.storedHashes, [s]: sentHashes[s] };
        this.rt.stats.count(full ? 'inventory_full_uploads' : 'inventory_delta_uploads');
      } else {
        this.rt.stats.count(`inventory_${result.code}`);
      }
    } finally {
      this.uploading = false;
    }
  }

  /** Sections the engine confirmed (tests compare them with the stored rows). */
  get uploadedHashes(): InventoryHashes {
    return this.storedHashes;
  }

  /** When the last connect_agent succeeded (ms epoch, 0 if never). */
  get lastRegisteredAt(): number {
    return this.registeredAt;
  }

  /** Socket attempts lost in a row (§5.2 backoff step; reset after 60 s connected). */
  get reconnectAttempt(): number {
    return this.attempt;
  }

  /** True once connected and registered since `since` (ms epoch). */
  registeredSince(since: number): boolean {
    return this.state === 'online' && this.registeredAt >= since;
  }
}
