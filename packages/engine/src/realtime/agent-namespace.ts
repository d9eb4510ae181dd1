// The /agent Socket.IO namespace (agent-protocol §5): admission, device auth from the upgrade headers
// only, `connect_agent` registration within 10 s, `superseded` handling, rooms, the heartbeat event,
// trust changes and maximum socket age, and the graceful-stop notice. Other domains add events via `handle`.

import type { Namespace, Server, Socket } from 'socket.io';
import type { Logger } from 'pino';
import type { ZodType } from 'zod';
import {
  AGENT_NAMESPACE,
  type ErrorCode,
} from '@borealis/protocol';
import {
  ConnectAgentSchema,
  HEARTBEAT_MAX_BYTES,
  HeartbeatSchema,
  type ConnectAgentAck,
  type EngineShutdown,
  type AgentDisconnectReason,
  type SocketAckError,
} from '@borealis/protocol/agent';
import type { Clock } from '../clock';
import type { DeviceConfigView } from '../domains/agent/agent-config';
import { assertBodyNamesDevice, type AuthenticatedDevice, type DeviceAuthenticator } from '../domains/agent/device-authenticator';
import { acceptHeartbeat, heartbeatIntervalOf, serverTime } from '../domains/agent/heartbeat-service';
import { SOCKET_LOSS_GRACE_MS, type HeartbeatStore } from '../domains/agent/presence/heartbeat-store';
import type { DeviceEvents } from '../domains/devices/device-events';
import { AppError } from '../errors';
import { BUSY_RETRY_MAX_MS, BUSY_RETRY_MIN_MS, createAdmission } from './agent-admission';

export const REGISTER_TIMEOUT_MS = 10_000;
export const SOCKET_MAX_AGE_MS = 24 * 3600_000;
export const SHUTDOWN_GRACE_MS = 2_000;
/** §5.4: a socket whose send buffer passes 4 MiB is dropped (`slow_consumer`). */
export const SEND_BUFFER_LIMIT_BYTES = 4 * 1024 * 1024;
/** The rotating slow-consumer check looks at no fewer devices than this per call. */
export const SLOW_CONSUMER_MIN_SLICE = 64;
const REFUSAL_LOG_INTERVAL_MS = 10_000;
/** The upgrade's DPoP `htu` path (agent-protocol §3.2). */
export const UPGRADE_PATH = '/socket.io/';

export interface AgentSocketData {
  device: AuthenticatedDevice;
  connectedAt: number;
  registered: boolean;
  view: DeviceConfigView | null;
  hashes: Map<string, string>;
  closing: AgentDisconnectReason | null;
}

export type Ack = (answer: unknown) => void;
export type AgentEventHandler = (socket: Socket, data: AgentSocketData, payload: unknown, ack: Ack | undefined) => void | Promise<void>;

export interface AgentNamespaceTimings {
  readonly registerTimeoutMs?: number;
  readonly maxAgeMs?: number;
  readonly shutdownGraceMs?: number;
}

export interface AgentNamespaceDeps {
  readonly io: Server;
  readonly clock: Clock;
  readonly log: Logger;
  readonly authenticator: DeviceAuthenticator;
  readonly store: HeartbeatStore;
  readonly events: DeviceEvents;
  /** The config view and stored inventory section hashes for `connect_agent`; undefined without a device row. */
  readonly loadRegistration: (rowGuid: string) => Promise<{ view: DeviceConfigView; hashes: Map<string, string> } | undefined>;
  readonly loadHashes: (rowGuid: string) => Promise<Map<string, string>>;
  /** `BOREALIS_AGENT_CONNECT_RATE` (new sockets per second per node). */
  readonly connectRate: number;
  /** `BOREALIS_AGENT_CONNECT_QUEUE_MS`: the admission's paced queue (0 refuses past the burst at once). */
  readonly connectQueueMs?: number;
  readonly timings?: AgentNamespaceTimings;
  readonly random?: () => number;
}

export interface AgentNamespace {
  readonly namespace: Namespace;
  /** Adds an agent→engine event; unknown events are answered `unknown_event`. */
  handle(event: string, handler: AgentEventHandler): void;
  /** Called after a socket's connect_agent was acked (e.g. to deliver pending jobs). */
  onRegistered(listener: (device: AuthenticatedDevice) => void): void;
  /** Sockets on this node, registered or not. */
  localSocketCount(): number;
  /** Wire GUIDs of devices with a registered socket on this node. */
  localDevices(): string[];
  /** guid → token_version the local sockets authenticated with. */
  localTokenVersions(): Map<string, number>;
  /** Drops a device's sockets on this node with a reason the agent sees first. */
  disconnectDevice(guid: string, reason: AgentDisconnectReason): number;
  /**
   * Drops sockets whose unsent bytes passed 4 MiB; returns how many. With `share` < 1 only that
   * share of the devices is looked at, continuing where the previous call stopped.
   */
  dropSlowConsumers(share?: number): number;
  /** §5.1 graceful stop: `engine_shutdown`, a short wait, then every socket closed. */
  shutdown(reason: EngineShutdown['reason']): Promise<void>;
}

export function ackError(code: string, message: string): SocketAckError {
  return { ok: false, error: { code, message } };
}

function refusal(code: string, retryAfterMs?: number): Error {
  const err = new Error(code) as Error & { data?: unknown };
  err.data = retryAfterMs === undefined ? { code } : { code, retry_after_ms: retryAfterMs };
  return err;
}

/** Bytes queued on the websocket (ws `bufferedAmount`); Engine.IO keeps no byte count of its own. */
export function pendingSendBytes(socket: Socket): number {
  const transport: unknown = socket.conn.transport;
  if (typeof transport !== 'object' || transport === null || !('socket' in transport)) return 0;
  const ws: unknown = transport.socket;
  return typeof ws === 'object' && ws !== null && 'bufferedAmount' in ws && typeof ws.bufferedAmount === 'number' ? ws.bufferedAmount : 0;
}

/** §3.3 check 10 on socket payloads: a `guid` or `agent_id` naming another device. */
function namesThisDevice(device: AuthenticatedDevice, body: unknown): boolean {
  try {
    assertBodyNamesDevice(device, body);
    return true;
  } catch {
    return false;
  }
}

function parse<T>(schema: ZodType<T>, payload: unknown): { ok: true; value: T } | { ok: false; message: string } {
  const result = schema.safeParse(payload);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, message: result.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ') };
}

export function installAgentNamespace(deps: AgentNamespaceDeps): AgentNamespace {
  const nsp = deps.io.of(AGENT_NAMESPACE);
  const timings = { registerTimeoutMs: REGISTER_TIMEOUT_MS, maxAgeMs: SOCKET_MAX_AGE_MS, shutdownGraceMs: SHUTDOWN_GRACE_MS, ...deps.timings };
  const random = deps.random ?? Math.random;
  const admission = createAdmission({ clock: deps.clock, ratePerSecond: deps.connectRate, queueMs: deps.connectQueueMs ?? 0, random });
  const handlers = new Map<string, AgentEventHandler>();
  /** guid → sockets on this node (registered or still within the 10 s window). */
  const local = new Map<string, Set<Socket>>();
  let isStopping = false;
  /** The `reconnect_window_ms` of the engine_shutdown notice (§5.1), once stopping. */
  let stoppingWindowMs = BUSY_RETRY_MAX_MS;
  /** Where the rotating slow-consumer check continues. */
  let sweep: Iterator<Set<Socket>> | null = null;

  const dataOf = (socket: Socket) => socket.data as AgentSocketData;

  // Refused upgrades by cause, logged once per 10 s while a reconnect storm lasts: the operator's
  // (and the restart benchmark's) view of why agents are not back yet.
  const refused = { stopping: 0, admission: 0, database_busy: 0 };
  const logRefusals = () => {
    if (refused.stopping + refused.admission + refused.database_busy === 0) return;
    deps.log.warn({ refused: { ...refused } }, 'agent upgrades refused server_busy since the last report');
    refused.stopping = refused.admission = refused.database_busy = 0;
  };
  const refusalLog = setInterval(logRefusals, REFUSAL_LOG_INTERVAL_MS);
  refusalLog.unref();

  const drop = (socket: Socket, reason: AgentDisconnectReason) => {
    const data = dataOf(socket);
    if (data.closing) return;
    data.closing = reason;
    // Told first so the agent can pick its reconnect rule (§5.2); then the server closes.
    socket.emit('engine_disconnect', { reason });
    socket.disconnect(true);
  };

  /** An exhausted database pool is brief: 5–15 s, shorter than admission's 5–60 s. */
  const databaseBusyRetryMs = () => Math.round(BUSY_RETRY_MIN_MS + random() * BUSY_RETRY_MIN_MS * 2);

  const stoppingRefusal = () => {
    refused.stopping += 1;
    return refusal('server_busy', Math.round(BUSY_RETRY_MIN_MS + random() * Math.max(0, stoppingWindowMs - BUSY_RETRY_MIN_MS)));
  };

  nsp.use((socket, next) => {
    // A stopping node sends agents back within the reconnect window it announced (the node or its
    // successor is expected by then), not up to 60 s later like an admission refusal.
    if (isStopping) return next(stoppingRefusal());
    const admitted = admission.admit();
    if (!admitted.ok) {
      refused.admission += 1;
      return next(refusal('server_busy', admitted.retryAfterMs));
    }
    void (async () => {
      if (admitted.waitMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, admitted.waitMs));
        if (isStopping) return next(stoppingRefusal());
      }
      const device = await deps.authenticator.authenticate({ method: 'GET', path: UPGRADE_PATH, headers: socket.request.headers, isRest: false });
      const data: AgentSocketData = { device, connectedAt: deps.clock.now().getTime(), registered: false, view: null, hashes: new Map(), closing: null };
      socket.data = data;
      next();
    })().catch((err: unknown) => {
      // A busy engine (say, every database connection in use during a reconnect storm) sends the
      // agent back without counting a failure against its backoff (§5.2 server_busy row).
      if (err instanceof AppError && err.code === 'server_busy') {
        refused.database_busy += 1;
        return next(refusal('server_busy', databaseBusyRetryMs()));
      }
      if (err instanceof AppError) return next(refusal(err.code));
      deps.log.error({ err }, 'agent socket authentication failed');
      next(refusal('unavailable'));
    });
  });

  const register = async (socket: Socket, payload: unknown): Promise<ConnectAgentAck | SocketAckError> => {
    const data = dataOf(socket);
    const parsed = parse(ConnectAgentSchema, payload);
    if (!parsed.ok) return ackError('validation_failed', parsed.message);
    const body = parsed.value;
    if (!namesThisDevice(data.device, body)) return ackError('device_mismatch' satisfies ErrorCode, 'connect_agent names another device');
    const loaded = await deps.loadRegistration(data.device.rowGuid);
    if (!loaded) return ackError('device_not_found', 'no device has this GUID');
    const { view, hashes } = loaded;
    if (data.closing || !socket.connected) return ackError('superseded', 'socket closed during registration');
    data.view = view;
    data.hashes = hashes;
    data.registered = true;
    await socket.join([`device:${data.device.guid}`, ...(data.device.siteId === null ? [] : [`site:${data.device.siteId}`])]);
    deps.store.register({ guid: data.device.guid, rowGuid: data.device.rowGuid, hostname: data.device.hostname, siteId: data.device.siteId }, socket.id);
    // One socket per device: an older one on this node goes now (after the store names the new
    // socket, so the old one's close is not taken for a loss); other nodes see it on their next flush.
    for (const other of local.get(data.device.guid) ?? []) if (other !== socket && dataOf(other).registered) drop(other, 'superseded');
    const wanted = body.capabilities.inventory_sections.filter((s) => !hashes.has(s));
    return {
      ok: true,
      server_time: serverTime(deps.clock),
      heartbeat_interval_s: heartbeatIntervalOf(view),
      config_revision: view.config.revision,
      signing_key_id: view.signingKeyId,
      inventory_wanted: wanted,
    };
  };

  const registeredListeners: Array<(device: AuthenticatedDevice) => void> = [];
  handlers.set('connect_agent', async (socket, data, payload, ack) => {
    const answer = await register(socket, payload);
    ack?.(answer);
    if (answer.ok) for (const listener of registeredListeners) listener(data.device);
  });

  handlers.set('agent_heartbeat', (_socket, data, payload, ack) => {
    if (!data.registered || !data.view) return ack?.(ackError('not_registered', 'send connect_agent first'));
    if (Buffer.byteLength(JSON.stringify(payload) ?? '') > HEARTBEAT_MAX_BYTES) return ack?.(ackError('payload_too_large', 'a heartbeat is at most 4 KiB'));
    const parsed = parse(HeartbeatSchema, payload);
    if (!parsed.ok) return ack?.(ackError('validation_failed', parsed.message));
    if (!namesThisDevice(data.device, parsed.value)) return ack?.(ackError('device_mismatch', 'the heartbeat names another device'));
    ack?.(acceptHeartbeat({ clock: deps.clock, store: deps.store }, data.device, parsed.value, data.view, data.hashes, true));
  });

  nsp.on('connection', (socket) => {
    const data = dataOf(socket);
    const guid = data.device.guid;
    let set = local.get(guid);
    if (!set) local.set(guid, (set = new Set()));
    set.add(socket);

    const registerTimer = setTimeout(() => {
      if (!data.registered) drop(socket, 'register_timeout');
    }, timings.registerTimeoutMs);
    // 24 h ± 10 %, so a fleet connected together does not come back together.
    const ageTimer = setTimeout(() => drop(socket, 'reauth_required'), timings.maxAgeMs * (0.9 + random() * 0.2));
    ageTimer.unref();

    socket.onAny((event: string, ...args: unknown[]) => {
      const last = args.at(-1);
      const ack = typeof last === 'function' ? (last as Ack) : undefined;
      const payload = args[0];
      const handler = handlers.get(event);
      if (!handler) {
        ack?.(ackError('unknown_event', `unknown event ${event.slice(0, 64)}`));
        return;
      }
      Promise.resolve(handler(socket, data, payload, ack)).catch((err: unknown) => {
        // Every database connection in use (an enrolment or reconnect storm) is load, not a fault:
        // the agent is told to come back, as a refused upgrade would be (§5.2 server_busy row).
        if (err instanceof AppError && err.code === 'server_busy') {
          deps.log.warn({ event, device: guid }, 'agent event refused: the engine is busy');
          ack?.({ ok: false, error: { code: 'server_busy', message: err.message, retry_after_ms: databaseBusyRetryMs() } });
          return;
        }
        deps.log.error({ err, event }, 'agent event failed');
        ack?.(ackError('internal_error', 'the engine could not handle this event'));
      });
    });

    socket.on('disconnect', () => {
      clearTimeout(registerTimer);
      clearTimeout(ageTimer);
      set.delete(socket);
      if (!set.size) local.delete(guid);
      if (!data.registered) return;
      if (data.closing === 'superseded') {
        deps.store.release(guid, socket.id);
        return;
      }
      deps.store.socketLost(guid, socket.id);
      // Offline exactly when the 10 s grace ends, not at the next periodic tick (P14).
      setTimeout(() => deps.store.tick(), SOCKET_LOSS_GRACE_MS).unref();
    });
  });

  // A token_version bump (quarantine, revoke, purge, key change) ends the device's sockets (§5.1).
  deps.events.on('trust_changed', ({ guid }) => {
    for (const socket of local.get(guid.toUpperCase()) ?? []) drop(socket, 'reauth_required');
  });
  // Keep the per-socket section hashes current so heartbeat acks do not ask for what just arrived.
  deps.events.on('inventory_changed', ({ guid }) => {
    const sockets = [...(local.get(guid) ?? [])].filter((s) => dataOf(s).registered);
    if (!sockets.length) return;
    void deps
      .loadHashes(dataOf(sockets[0]!).device.rowGuid)
      .then((hashes) => {
        for (const s of sockets) dataOf(s).hashes = hashes;
      })
      .catch((err: unknown) => deps.log.warn({ err }, 'reloading inventory hashes failed'));
  });

  return {
    namespace: nsp,
    handle(event, handler) {
      handlers.set(event, handler);
    },
    onRegistered(listener) {
      registeredListeners.push(listener);
    },
    localSocketCount: () => [...local.values()].reduce((n, s) => n + s.size, 0),
    localDevices() {
      const out: string[] = [];
      for (const [guid, set] of local) if ([...set].some((s) => dataOf(s).registered)) out.push(guid);
      return out;
    },
    localTokenVersions() {
      const out = new Map<string, number>();
      for (const [guid, set] of local) for (const socket of set) out.set(guid, dataOf(socket).device.tokenVersion);
      return out;
    },
    disconnectDevice(guid, reason) {
      const sockets = [...(local.get(guid.toUpperCase()) ?? [])];
      for (const socket of sockets) drop(socket, reason);
      return sockets.length;
    },
    dropSlowConsumers(share = 1) {
      let dropped = 0;
      let budget = share >= 1 ? local.size : Math.min(local.size, Math.max(SLOW_CONSUMER_MIN_SLICE, Math.ceil(local.size * share)));
      // A Map iterator survives insertions and deletions, so the sweep resumes where it stopped.
      if (share >= 1 || !sweep) sweep = local.values();
      while (budget > 0) {
        let next = sweep.next();
        if (next.done) {
          if (share >= 1) break;
          sweep = local.values();
          next = sweep.next();
          if (next.done) break;
        }
        budget -= 1;
        for (const socket of next.value) {
          if (pendingSendBytes(socket) > SEND_BUFFER_LIMIT_BYTES) {
            drop(socket, 'slow_consumer');
            dropped += 1;
          }
        }
      }
      if (share >= 1) sweep = null;
      return dropped;
    },
    async shutdown(reason) {
      isStopping = true;
      const count = [...local.values()].reduce((n, s) => n + s.size, 0);
      const notice: EngineShutdown = { reason, reconnect_window_ms: Math.max(10_000, Math.round((2 * count * 1000) / deps.connectRate)) };
      stoppingWindowMs = Math.min(BUSY_RETRY_MAX_MS, notice.reconnect_window_ms);
      if (!count) {
        clearInterval(refusalLog);
        return;
      }
      nsp.emit('engine_shutdown', notice);
      await new Promise((resolve) => setTimeout(resolve, timings.shutdownGraceMs));
      for (const set of local.values()) for (const socket of set) dataOf(socket).closing ??= 'reauth_required';
      nsp.disconnectSockets(true);
      clearInterval(refusalLog);
      logRefusals();
    },
  };
}
