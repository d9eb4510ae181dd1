// The /agent Socket.IO connection (agent-protocol.md §5.1–§5.2): websocket only, reconnection off,
// a new Manager with fresh upgrade headers (a new DPoP proof) for every attempt, connect_agent
// within 10 s, and the §5.2 reconnect policy. Events for another device are dropped (§5.3).
import { Manager, type Socket } from 'socket.io-client';
import {
  AgentConfigChangedSchema,
  AgentConnectErrorDataSchema,
  CONNECT_AGENT_ACK_TIMEOUT_MS,
  ConnectAgentAckSchema,
  EngineShutdownSchema,
  SocketAckErrorSchema,
  type ConnectAgent,
  type ConnectAgentAck,
} from '@borealis/protocol/agent';
import type { AgentTrust } from '../config/agent-file-schema';
import { LifecycleError, lifecycleErrorFor, TOKEN_RETRY_CODES } from '../auth/lifecycle-error';
import type { DeviceSession } from '../auth/device-session';
import type { AgentLog } from '../runtime/agent-log';
import type { AgentRuntime, TimerHandle } from '../runtime/runtime';
import type { AgentClock } from '../runtime/clock-offset';
import type { AgentHttp } from '../transport/agent-http';
import { tlsTrustOptions } from '../transport/tls-trust';
import { createReconnectPolicy, type ReconnectPolicy, type ReconnectReason } from './reconnect-policy';

export interface AgentSocketHandlers {
  /** connect_agent was acked: the socket is registered. */
  onRegistered(ack: ConnectAgentAck): void;
  onDisconnected(): void;
  onConfigChanged(revision: string): void;
  onInventoryRefresh(sections: readonly string[]): void;
  /** quick_job_run (§6.2): the acceptance answer is the ack. */
  onJobRun?(payload: unknown): Promise<unknown>;
  /** quick_job_cancel (§5.3). */
  onJobCancel?(payload: unknown): unknown;
  /** device_revoked, device_purged, … arrived as a connect_error. */
  onLifecycleError(error: LifecycleError): void;
}

export interface AgentSocketDeps {
  readonly serverUrl: string;
  readonly trust: AgentTrust | undefined;
  readonly http: AgentHttp;
  readonly session: DeviceSession;
  readonly clock: AgentClock;
  readonly runtime: AgentRuntime;
  readonly log: AgentLog;
  readonly guid: string;
  readonly registration: () => ConnectAgent;
  readonly handlers: AgentSocketHandlers;
  /** Injected for tests; default is the §5.2 policy on the same runtime. */
  readonly policy?: ReconnectPolicy;
}

export interface AgentSocket {
  start(): void;
  stop(): void;
  isRegistered(): boolean;
  /** Emits with an ack timeout; rejects when not registered, on timeout, or on an `{ok:false}` ack. */
  request(event: string, payload: unknown, timeoutMs: number): Promise<unknown>;
}

export function createAgentSocket(deps: AgentSocketDeps): AgentSocket {
  const { runtime, log } = deps;
  const policy = deps.policy ?? createReconnectPolicy(runtime);
  const tls = tlsTrustOptions(deps.trust);
  let socket: Socket | undefined;
  let registered = false;
  let stopped = true;
  let timer: TimerHandle | undefined;
  let pendingReason: ReconnectReason | undefined;

  function schedule(reason: ReconnectReason): void {
    if (stopped) return;
    const wait = policy.next(reason);
    if (wait === 'stop') {
      stopped = true;
      return;
    }
    log.info('socket reconnect scheduled', { wait_ms: Math.round(wait), reason: reason.kind, attempt: policy.attempts() });
    timer?.cancel();
    timer = runtime.after(wait, () => void attempt());
  }

  function teardown(): void {
    const current = socket;
    socket = undefined;
    if (current) {
      current.removeAllListeners();
      current.io.removeAllListeners();
      current.disconnect();
      current.io.engine?.close();
    }
    if (registered) {
      registered = false;
      policy.onDisconnected();
      deps.handlers.onDisconnected();
    }
  }

  async function attempt(): Promise<void> {
    if (stopped) return;
    pendingReason = undefined;
    let token: string;
    try {
      token = await deps.session.accessToken();
    } catch (err) {
      if (err instanceof LifecycleError) return lifecycle(err);
      log.warn('socket: no access token', { error: (err as Error).message });
      return schedule({ kind: 'lost' });
    }
    if (stopped) return;
    // One proof per upgrade (§5.1): a fresh Manager each attempt, never the library's reconnection.
    const manager = new Manager(deps.serverUrl, {
      path: '/socket.io/',
      transports: ['websocket'],
      reconnection: false,
      autoConnect: false,
      forceNew: true,
      timeout: 20_000,
      extraHeaders: deps.http.upgradeHeaders(token),
      ...tls,
    });
    const current = manager.socket('/agent');
    socket = current;

    current.on('connect', () => void register(current));
    current.on('connect_error', (err: Error & { data?: unknown }) => {
      if (socket !== current) return;
      const data = AgentConnectErrorDataSchema.safeParse(err.data);
      const code = data.success ? data.data.code : 'network';
      const retryAfterMs = data.success ? data.data.retry_after_ms : undefined;
      log.warn('socket connect refused', { reason: code, retry_after_ms: retryAfterMs, message: data.success ? undefined : err.message });
      teardown();
      void afterRefusal(code, retryAfterMs);
    });
    current.on('disconnect', (reason) => {
      if (socket !== current) return;
      log.warn('socket disconnected', { reason });
      teardown();
      if (pendingReason?.kind === 'token') return void refreshThenRetry();
      schedule(pendingReason ?? { kind: 'lost' });
    });
    current.on('engine_shutdown', (payload: unknown) => {
      const parsed = EngineShutdownSchema.safeParse(payload);
      if (parsed.success) pendingReason = { kind: 'engine_shutdown', reconnectWindowMs: parsed.data.reconnect_window_ms };
    });
    current.on('engine_disconnect', (payload: { reason?: unknown } | undefined) => {
      if (payload?.reason === 'reauth_required') pendingReason = { kind: 'token' };
    });
    current.on('agent_config_changed', (payload: unknown) => {
      const parsed = AgentConfigChangedSchema.safeParse(payload);
      if (parsed.success) deps.handlers.onConfigChanged(parsed.data.revision);
    });
    current.on('inventory_refresh_request', (payload: { sections?: unknown; device_guid?: unknown } | undefined, ack?: (answer: unknown) => void) => {
      if (payload?.device_guid !== undefined && payload.device_guid !== deps.guid) return;
      const sections = Array.isArray(payload?.sections) ? payload.sections.filter((s): s is string => typeof s === 'string') : [];
      deps.handlers.onInventoryRefresh(sections);
      ack?.({ ok: true });
    });
    current.on('quick_job_run', (payload: unknown, ack?: (answer: unknown) => void) => {
      const run = deps.handlers.onJobRun;
      if (!run) return ack?.({ accepted: false, error_code: 'interpreter_not_found' });
      run(payload).then(
        (answer) => ack?.(answer),
        (err: unknown) => {
          log.warn('quick_job_run failed', { error: (err as Error).message });
          ack?.({ accepted: false, error_code: 'invalid_payload' });
        },
      );
    });
    current.on('quick_job_cancel', (payload: unknown, ack?: (answer: unknown) => void) => {
      ack?.(deps.handlers.onJobCancel ? deps.handlers.onJobCancel(payload) : { ok: true, state: 'not_found' });
    });
    current.connect();
  }

  async function register(current: Socket): Promise<void> {
    try {
      const answer: unknown = await current.timeout(CONNECT_AGENT_ACK_TIMEOUT_MS).emitWithAck('connect_agent', deps.registration());
      const ack = ConnectAgentAckSchema.safeParse(answer);
      const refused = ack.success ? null : SocketAckErrorSchema.safeParse(answer);
      if (refused?.success && refused.data.error.code === 'server_busy' && socket === current) {
        // A busy engine (every database connection in use) asks for a later try, not counted as a loss.
        log.warn('socket registration deferred: the engine is busy', { retry_after_ms: refused.data.error.retry_after_ms });
        teardown();
        return schedule({ kind: 'server_busy', retryAfterMs: refused.data.error.retry_after_ms ?? 5000 });
      }
      if (!ack.success) throw new Error(`connect_agent refused: ${JSON.stringify(answer).slice(0, 200)}`);
      if (socket !== current) return;
      deps.clock.sample(Date.parse(ack.data.server_time));
      registered = true;
      policy.onConnected();
      log.info('socket registered', { heartbeat_interval_s: ack.data.heartbeat_interval_s });
      deps.handlers.onRegistered(ack.data);
    } catch (err) {
      if (socket !== current) return;
      log.warn('socket registration failed', { error: (err as Error).message });
      teardown();
      schedule({ kind: 'lost' });
    }
  }

  async function afterRefusal(code: string, retryAfterMs: number | undefined): Promise<void> {
    if (code === 'server_busy') return schedule({ kind: 'server_busy', retryAfterMs: retryAfterMs ?? 5000 });
    const fatal = lifecycleErrorFor(code);
    if (fatal) return lifecycle(fatal);
    if (TOKEN_RETRY_CODES.has(code)) return refreshThenRetry();
    schedule({ kind: 'lost' });
  }

  async function refreshThenRetry(): Promise<void> {
    try {
      await deps.session.refresh();
    } catch (err) {
      if (err instanceof LifecycleError) return lifecycle(err);
      log.warn('socket: refresh failed', { error: (err as Error).message });
      return schedule({ kind: 'lost' });
    }
    schedule({ kind: 'token' });
  }

  function lifecycle(err: LifecycleError): void {
    if (err.kind === 'revoked') stopped = true;
    deps.handlers.onLifecycleError(err);
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      void attempt();
    },
    stop() {
      stopped = true;
      timer?.cancel();
      teardown();
    },
    isRegistered: () => registered,
    async request(event, payload, timeoutMs) {
      const current = socket;
      if (!current || !registered) throw new Error('socket not registered');
      const answer: unknown = await current.timeout(timeoutMs).emitWithAck(event, payload);
      const failed = answer as { ok?: unknown; error?: { code?: unknown } } | undefined;
      if (failed?.ok === false) throw new Error(`${event} refused: ${String(failed.error?.code)}`);
      return answer;
    },
  };
}
