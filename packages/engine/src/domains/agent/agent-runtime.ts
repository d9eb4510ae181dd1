// Everything the device side of one engine node needs, built once by createEngine: device auth,
// token service, heartbeat store and presence loops, inventory, the /agent namespace and its stop.

import { randomUUID } from 'node:crypto';
import type { Server } from 'socket.io';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import type { AuditLog } from '../audit/audit-log';
import type { DeviceEvents } from '../devices/device-events';
import type { DeviceTrust } from '../devices/trust/device-trust';
import type { HostSecret } from '../../secrets/host-secret';
import { installAgentNamespace, type AgentNamespace, type AgentNamespaceTimings } from '../../realtime/agent-namespace';
import { loadRegistration } from './agent-config';
import { createDeviceAuthenticator, type DeviceAuthenticator } from './device-authenticator';
import { createDpopNonces, type DpopNonces } from './dpop-nonce';
import { createInventoryService, type InventoryService } from './inventory/inventory-service';
import { createEngineNode, type EngineNode } from './presence/engine-node';
import { createHeartbeatStore, type FlushResult, type HeartbeatStore } from './presence/heartbeat-store';
import { createTokenService, type TokenService } from './token-service';

export const PRESENCE_FLUSH_MS = 10_000;
/** The heartbeat-silence rule is checked this often, so Offline comes within 250 ms of the 60 s mark. */
export const PRESENCE_TICK_MS = 250;
/** Every socket's send buffer is looked at once per this period, a slice per tick (§5.4 slow_consumer). */
export const SLOW_CONSUMER_SWEEP_MS = 2_000;

export interface AgentRuntimeOptions extends AgentNamespaceTimings {
  /** Run the 1 s presence tick and the 10 s flush on timers (default true; tests drive them by hand). */
  readonly loops?: boolean;
}

export interface AgentRuntime {
  readonly nodeId: string;
  readonly authenticator: DeviceAuthenticator;
  readonly tokens: TokenService;
  readonly nonces: DpopNonces;
  readonly store: HeartbeatStore;
  readonly inventory: InventoryService;
  readonly node: EngineNode;
  readonly sockets: AgentNamespace;
  /** Presence rules now (normally every 250 ms). */
  tick(): void;
  /** One flush round: node row, dirty devices, cross-node supersede check, dead-node sweep. */
  flush(): Promise<FlushResult>;
  start(): Promise<void>;
  stop(reason?: 'restart' | 'shutdown' | 'drain'): Promise<void>;
}

export interface AgentRuntimeDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly io: Server;
  readonly audit: AuditLog;
  readonly trust: DeviceTrust;
  readonly events: DeviceEvents;
  readonly hostSecret: HostSecret;
  readonly takeBudget: (key: string, limit: number) => void;
  readonly connectRate: number;
  readonly connectQueueMs: number;
  readonly role: string;
  readonly version: string;
  readonly options?: AgentRuntimeOptions;
}

export function createAgentRuntime(deps: AgentRuntimeDeps): AgentRuntime {
  const nodeId = `${deps.role}-${randomUUID()}`;
  const authenticator = createDeviceAuthenticator({ db: deps.db, clock: deps.clock, trust: deps.trust, takeBudget: deps.takeBudget });
  const nonces = createDpopNonces({ clock: deps.clock, hostSecret: deps.hostSecret });
  const tokens = createTokenService({ db: deps.db, clock: deps.clock, audit: deps.audit, trust: deps.trust, nonces, deviceEvents: deps.events, takeBudget: deps.takeBudget });
  const store = createHeartbeatStore({ db: deps.db, clock: deps.clock, nodeId, events: deps.events });
  const inventory = createInventoryService({ db: deps.db, clock: deps.clock, events: deps.events });
  const node = createEngineNode({ db: deps.db, clock: deps.clock, nodeId, role: deps.role, version: deps.version });
  const sockets = installAgentNamespace({
    io: deps.io,
    clock: deps.clock,
    log: deps.log,
    authenticator,
    store,
    events: deps.events,
    loadRegistration: (rowGuid) => loadRegistration(deps.db, rowGuid),
    loadHashes: (rowGuid) => inventory.hashes(rowGuid),
    connectRate: deps.connectRate,
    connectQueueMs: deps.connectQueueMs,
    timings: deps.options,
  });

  const timers: NodeJS.Timeout[] = [];
  // Flushes run one at a time: a timer round and a test's manual round never overlap.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };

  const flushRound = async (): Promise<FlushResult> => {
    await node.touch();
    const result = await store.flush();
    for (const { guid } of await store.findSupersededElsewhere()) sockets.disconnectDevice(guid, 'superseded');
    // Backstop for trust changes made by another node (this node only hears its own deviceEvents).
    for (const guid of await store.findTrustChanged(sockets.localTokenVersions())) sockets.disconnectDevice(guid, 'reauth_required');
    await node.sweep();
    return result;
  };

  return {
    nodeId,
    authenticator,
    tokens,
    nonces,
    store,
    inventory,
    node,
    sockets,
    tick() {
      store.tick();
      sockets.dropSlowConsumers();
    },
    flush: () => serial(flushRound),
    async start() {
      await node.touch();
      if (deps.options?.loops === false) return;
      const tick = setInterval(() => {
        store.tick();
        sockets.dropSlowConsumers(PRESENCE_TICK_MS / SLOW_CONSUMER_SWEEP_MS);
      }, PRESENCE_TICK_MS);
      const flush = setInterval(() => {
        serial(flushRound).catch((err: unknown) => deps.log.warn({ err }, 'presence flush failed; entries stay dirty'));
      }, PRESENCE_FLUSH_MS);
      tick.unref();
      flush.unref();
      timers.push(tick, flush);
    },
    async stop(reason = 'shutdown') {
      for (const t of timers.splice(0)) clearInterval(t);
      await sockets.shutdown(reason);
      await serial(async () => {
        try {
          await store.flushAndClearPresence();
          await node.remove();
        } catch (err) {
          deps.log.warn({ err }, 'final presence flush failed');
        }
      });
    },
  };
}
