// The heartbeat (agent-protocol.md §4.3): every interval + U(0, jitter) — 20 s + U(0, 5 s) until an
// ack raises it — over the socket with a 10 s ack and no retry; POST /api/agent/heartbeat only
// while the socket is down. role_health travels only when it changed since the last acked beat.
import { HeartbeatAckSchema, HEARTBEAT_INTERVAL_DEFAULT_S, HEARTBEAT_INTERVAL_MAX_S, HEARTBEAT_JITTER_DEFAULT_S, type Heartbeat, type HeartbeatAck, type RoleHealth } from '@borealis/protocol/agent';
import { LifecycleError } from '../auth/lifecycle-error';
import type { DeviceSession } from '../auth/device-session';
import type { MetricsSampler } from '../inventory/collectors/system-metrics';
import type { AgentLog } from '../runtime/agent-log';
import type { AgentClock } from '../runtime/clock-offset';
import { uniform, type AgentRuntime, type TimerHandle } from '../runtime/runtime';
import type { AgentSocket } from '../socket/agent-socket';
import { AGENT_VERSION } from '../version';

export const HEARTBEAT_ACK_TIMEOUT_MS = 10_000;

export interface HeartbeatIdentity {
  readonly agent_id: string;
  readonly hostname: string;
  readonly release_channel: string;
}

export interface HeartbeatDeps {
  readonly session: DeviceSession;
  readonly socket: Pick<AgentSocket, 'isRegistered' | 'request'>;
  readonly sampler: MetricsSampler;
  readonly runtime: AgentRuntime;
  readonly clock: AgentClock;
  readonly log: AgentLog;
  readonly identity: () => HeartbeatIdentity;
  readonly inventoryHashes: () => Record<string, string>;
  readonly roleHealth: () => RoleHealth[];
  readonly onAck: (ack: HeartbeatAck, path: 'socket' | 'rest') => void;
  readonly onSent?: (path: 'socket' | 'rest') => void;
  readonly onLifecycleError: (err: LifecycleError) => void;
}

export interface HeartbeatLoop {
  start(): void;
  stop(): void;
  /** Sends a beat now and restarts the interval (first beat after registration, §4.1 step 8). */
  beatNow(): void;
  /** Current interval from the last ack (seconds). */
  intervalS(): number;
  /** Values from GET /api/agent/config (§4.5); a later ack still overrides the interval. */
  configure(settings: { readonly intervalS?: number; readonly jitterS?: number }): void;
}

/** Delay until the next beat: interval + U(0, jitter) seconds. */
export function nextBeatDelay(intervalS: number, jitterS: number, runtime: Pick<AgentRuntime, 'random'>): number {
  const interval = Math.min(HEARTBEAT_INTERVAL_MAX_S, Math.max(HEARTBEAT_INTERVAL_DEFAULT_S, intervalS));
  return (interval + uniform(runtime, 0, jitterS)) * 1000;
}

/** role_health is included only when it differs from what the last acked beat carried. */
export function roleHealthToSend(current: readonly RoleHealth[], lastAcked: string | undefined): { send?: RoleHealth[]; key: string } {
  const key = JSON.stringify(current.map(({ role_id, status, detail }) => ({ role_id, status, detail })));
  return key === lastAcked ? { key } : { send: [...current], key };
}

export function createHeartbeatLoop(deps: HeartbeatDeps): HeartbeatLoop {
  const { runtime, log } = deps;
  let seq = 0;
  let interval = HEARTBEAT_INTERVAL_DEFAULT_S;
  let jitter = HEARTBEAT_JITTER_DEFAULT_S;
  let timer: TimerHandle | undefined;
  let running = false;
  let inFlight = false;
  let ackedRoleHealth: string | undefined;

  function schedule(): void {
    timer?.cancel();
    if (running) timer = runtime.after(nextBeatDelay(interval, jitter, runtime), () => void beat());
  }

  async function body(): Promise<{ body: Heartbeat; roleKey: string }> {
    const facts = await deps.sampler.sample(deps.clock.now().getTime());
    const id = deps.identity();
    const role = roleHealthToSend(deps.roleHealth(), ackedRoleHealth);
    const hb: Heartbeat = {
      seq: seq++,
      sent_at: deps.clock.now().toISOString(),
      agent_id: id.agent_id,
      hostname: id.hostname,
      service_mode: 'system',
      agent_version: AGENT_VERSION,
      release_channel: id.release_channel,
      boot_id: facts.boot_id,
      uptime_s: facts.uptime_s,
      last_reboot: facts.last_reboot,
      metrics: facts.metrics,
      disks: facts.disks,
      last_user: facts.last_user,
      logged_in_users: facts.logged_in_users,
      internal_ip: facts.internal_ip,
      inventory_hashes: deps.inventoryHashes(),
      ...(role.send ? { role_health: role.send } : {}),
    };
    return { body: hb, roleKey: role.key };
  }

  async function beat(): Promise<void> {
    if (!running || inFlight) return;
    inFlight = true;
    try {
      const { body: hb, roleKey } = await body();
      const path = deps.socket.isRegistered() ? 'socket' : 'rest';
      const answer = path === 'socket'
        ? await deps.socket.request('agent_heartbeat', hb, HEARTBEAT_ACK_TIMEOUT_MS)
        : (await deps.session.call({ method: 'POST', path: '/api/agent/heartbeat', body: hb, maxTries: 1 })).body;
      deps.onSent?.(path);
      const ack = HeartbeatAckSchema.safeParse(answer);
      if (ack.success) {
        ackedRoleHealth = roleKey;
        interval = ack.data.heartbeat_interval_s;
        deps.clock.sample(Date.parse(ack.data.server_time));
        deps.onAck(ack.data, path);
      } else {
        log.warn('heartbeat ack not understood', { issues: ack.error.issues.length });
      }
    } catch (err) {
      if (err instanceof LifecycleError) {
        deps.onLifecycleError(err);
        return;
      }
      // No retry (§4.3): the next beat carries fresher data anyway.
      log.warn('heartbeat failed', { error: (err as Error).message });
    } finally {
      inFlight = false;
      schedule();
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      schedule();
    },
    stop() {
      running = false;
      timer?.cancel();
    },
    beatNow() {
      if (!running) return;
      timer?.cancel();
      void beat();
    },
    intervalS: () => interval,
    configure(settings) {
      if (settings.intervalS !== undefined) interval = settings.intervalS;
      if (settings.jitterS !== undefined) jitter = settings.jitterS;
    },
  };
}
