// `borealis-agent run` (agent-protocol.md §4.1): load the config, make the identity, enrol if
// needed, get an access token, connect the socket with connect_agent, heartbeat and inventory.
// Lifecycle answers restart it: re-enrol with the stored code (device_purged, device_not_found,
// fingerprint_mismatch) or stop the roles and try reauth every 6 h (device_revoked, §3.3).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { formatAgentId, type ConnectAgent, type RoleHealth } from '@borealis/protocol/agent';
import { createDeviceSession, type DeviceSession } from '../auth/device-session';
import { LifecycleError } from '../auth/lifecycle-error';
import { runEnrolment } from '../enrol/enrolment';
import { createHeartbeatLoop } from '../heartbeat/heartbeat-loop';
import { deviceKeyFromIdentity } from '../identity/device-key';
import { ensureIdentity } from '../identity/ensure-identity';
import { createHostReader } from '../inventory/host-reader';
import { INVENTORY_SECTIONS } from '../inventory/collect-sections';
import { createMetricsSampler } from '../inventory/collectors/system-metrics';
import { createInventorySync } from '../inventory/inventory-sync';
import type { AgentLog } from '../runtime/agent-log';
import { CLOCK_SKEW_WARNING_MS, createAgentClock } from '../runtime/clock-offset';
import type { AgentRuntime, TimerHandle } from '../runtime/runtime';
import { createJobExecutor, type PinnedSigningKey } from '../jobs/job-executor';
import { createSigningKeyRefresher } from '../jobs/signing-key-pins';
import { createAgentSocket } from '../socket/agent-socket';
import { createAgentStateFile } from '../state/agent-state';
import type { AgentStore } from '../state/agent-store';
import { createAgentHttp } from '../transport/agent-http';
import { agentArch } from '../transport/user-agent';
import { AGENT_VERSION } from '../version';
import { createConfigPuller } from './config-puller';

export const REVOKED_REAUTH_INTERVAL_MS = 6 * 3_600_000;

export interface DaemonDeps {
  readonly store: AgentStore;
  readonly runtime: AgentRuntime;
  readonly log: AgentLog;
  readonly signal: AbortSignal;
  /** Test hook: skip the package-database watchers. */
  readonly watchPackages?: boolean;
  /** BOREALIS_AGENT_LOG_LEVEL was set: ignore the engine's log_level. */
  readonly isLogLevelPinned?: boolean;
}

type ConnectedOutcome = 'stopped' | LifecycleError;

export async function runAgentDaemon(deps: DaemonDeps): Promise<void> {
  const { store, runtime, log, signal } = deps;
  const state = createAgentStateFile(store.paths);
  await store.load(); // 1. config
  const { identity } = await ensureIdentity(store); // 2. identity
  const key = deviceKeyFromIdentity(identity);
  const clock = createAgentClock({ now: runtime.now });
  const reader = createHostReader();
  const sampler = createMetricsSampler(reader);

  while (!signal.aborted) {
    const file = await store.load();
    const http = createAgentHttp({ serverUrl: file.server_url, trust: file.trust, privateKey: key.privateKey, clock, now: runtime.now });
    try {
      // 3. enrol if needed
      let justEnrolled = false;
      if (file.agent?.guid === undefined || file.tokens?.refresh_token === undefined) {
        log.info('not enrolled; starting enrolment');
        const outcome = await runEnrolment({ http, store, state, key, runtime, log, signal });
        if (outcome === 'stopped') return;
        justEnrolled = true;
        if (outcome === 'reauth') {
          const session = await createDeviceSession({ http, store, clock, runtime, log, signal });
          await session.reauth();
        }
      }
      const outcome = await runConnected({ ...deps, http, clock, sampler, reader, state, justEnrolled });
      if (outcome === 'stopped') return;
      if (outcome.kind === 'reenrol') {
        log.warn(outcome.message, { reason: outcome.code });
        await dropEnrolment(store);
        continue;
      }
      log.error(outcome.message, { reason: outcome.code });
      await waitWhileRevoked({ http, store, clock, runtime, log, signal });
    } catch (err) {
      if (err instanceof LifecycleError && err.kind === 'reenrol') {
        log.warn(err.message, { reason: err.code });
        await dropEnrolment(store);
        continue;
      }
      if (err instanceof LifecycleError) {
        log.error(err.message, { reason: err.code });
        await waitWhileRevoked({ http, store, clock, runtime, log, signal });
        continue;
      }
      // A network failure past the retry budget: try the whole startup again in a minute.
      log.error('agent startup failed; retrying in 60 s', { error: (err as Error).message });
      await runtime.sleep(60_000, signal);
    } finally {
      http.close();
    }
  }
}

/** §3.3: drop tokens and GUID, keep identity and code, so enrolment starts over. */
async function dropEnrolment(store: AgentStore): Promise<void> {
  await store.update((current) => {
    if (!current) throw new Error('agent.json disappeared');
    const { tokens: _tokens, agent, ...rest } = current;
    const keep = agent ? { release_channel: agent.release_channel, installed_version: agent.installed_version } : undefined;
    const cleaned = keep && Object.values(keep).some((v) => v !== undefined) ? { agent: Object.fromEntries(Object.entries(keep).filter(([, v]) => v !== undefined)) } : {};
    return { ...rest, ...cleaned } as typeof current;
  });
}

async function waitWhileRevoked(deps: Parameters<typeof createDeviceSession>[0] & { readonly signal: AbortSignal }): Promise<void> {
  while (!deps.signal.aborted) {
    await deps.runtime.sleep(REVOKED_REAUTH_INTERVAL_MS, deps.signal);
    if (deps.signal.aborted) return;
    try {
      const session = await createDeviceSession(deps);
      await session.reauth();
      deps.log.info('reauth succeeded after revocation; resuming');
      return;
    } catch (err) {
      if (err instanceof LifecycleError && err.kind === 'reenrol') return; // the caller re-enrols on the next pass
      deps.log.warn('still revoked', { error: (err as Error).message });
    }
  }
}

interface ConnectedDeps extends DaemonDeps {
  readonly http: ReturnType<typeof createAgentHttp>;
  readonly clock: ReturnType<typeof createAgentClock>;
  readonly sampler: ReturnType<typeof createMetricsSampler>;
  readonly reader: ReturnType<typeof createHostReader>;
  readonly state: ReturnType<typeof createAgentStateFile>;
  readonly justEnrolled: boolean;
}

async function runConnected(deps: ConnectedDeps): Promise<ConnectedOutcome> {
  const { store, runtime, log, signal, http, clock, state } = deps;
  const file = await store.load();
  const guid = file.agent?.guid;
  if (guid === undefined) return new LifecycleError('reenrol', 'not_enrolled');
  const host = hostname().split('.')[0] ?? hostname();
  const agentId = file.agent?.agent_id ?? formatAgentId(host, guid);
  const releaseChannel = file.agent?.release_channel ?? 'stable';

  let finish: (outcome: ConnectedOutcome) => void = () => undefined;
  const done = new Promise<ConnectedOutcome>((resolve) => (finish = resolve));
  const onLifecycleError = (err: LifecycleError) => finish(err);
  const onAbort = () => finish('stopped');

  // 4. an access token (refresh, or reauth); a failure here is the caller's to retry
  const session: DeviceSession = await createDeviceSession({ http, store, clock, runtime, log, signal });
  await session.accessToken();
  if (signal.aborted) return 'stopped';
  signal.addEventListener('abort', onAbort, { once: true });

  const identity = () => ({ agent_id: agentId, hostname: host, release_channel: releaseChannel });
  const inventory = createInventorySync({ session, reader: deps.reader, runtime, clock, state, log, identity, onLifecycleError, ...(deps.watchPackages === undefined ? {} : { watchPackages: deps.watchPackages }) });
  const roleHealth = (): RoleHealth[] => {
    const skewed = Math.abs(clock.offsetMs()) > CLOCK_SKEW_WARNING_MS;
    return [
      {
        role_id: 'system:clock_skew',
        status: skewed ? 'warning' : 'healthy',
        detail: skewed ? `clock offset ${Math.round(clock.offsetMs() / 1000)} s from the engine` : null,
        checked_at: clock.now().toISOString(),
      },
    ];
  };
  let heartbeatStarted = false;
  const config = createConfigPuller({
    session,
    runtime,
    log,
    onLifecycleError,
    apply(cfg) {
      // BOREALIS_AGENT_LOG_LEVEL set locally wins over the engine's setting (troubleshooting).
      if (!deps.isLogLevelPinned) log.setLevel(cfg.log_level);
      heartbeat.configure({ intervalS: cfg.heartbeat_interval_s, jitterS: cfg.heartbeat_jitter_s });
      inventory.configure({ checkS: cfg.inventory_check_interval_s, softwareS: cfg.software_interval_s, fullS: cfg.full_inventory_interval_s });
    },
  });
  let pinnedKeys: readonly PinnedSigningKey[] = file.trust?.signing_keys ?? [];
  const refreshKeys = createSigningKeyRefresher({ session, store, now: () => clock.now().toISOString() });
  const jobs = createJobExecutor({
    guid,
    stateDir: store.paths.stateDir,
    runtime,
    now: () => clock.now().getTime(),
    log,
    signingKeys: () => pinnedKeys,
    refreshSigningKeys: async () => (pinnedKeys = await refreshKeys()),
    transport: {
      isConnected: () => socket.isRegistered(),
      emit: (event, payload, timeoutMs) => socket.request(event, payload, timeoutMs),
      async postResult(jobId, body) {
        return (await session.call({ method: 'POST', path: `/api/agent/jobs/${jobId}/result`, body })).status;
      },
    },
  });
  await jobs.start();
  const socket = createAgentSocket({
    serverUrl: file.server_url,
    trust: file.trust,
    http,
    session,
    clock,
    runtime,
    log,
    guid,
    registration: (): ConnectAgent => ({
      agent_id: agentId,
      guid,
      hostname: host,
      service_mode: 'system',
      agent_version: AGENT_VERSION,
      platform: 'linux',
      arch: agentArch(),
      boot_id: bootIdOrZero(),
      running_jobs: jobs.runningJobIds(),
      capabilities: {
        run_modes: ['system'],
        interpreters: jobs.interpreters(),
        remote_shell: { vpn: false, socket: false, pty: false },
        vpn: { wireguard: false },
        vnc: { server: null, session_type: null },
        inventory_sections: [...INVENTORY_SECTIONS],
        max_concurrent_jobs: 4,
      },
    }),
    handlers: {
      onRegistered(ack) {
        heartbeat.configure({ intervalS: ack.heartbeat_interval_s });
        config.noteRevision(ack.config_revision);
        void state.update((s) => ({ ...s, socket_connected: true }));
        // 8. the first heartbeat at once, and the sections asked for.
        if (!heartbeatStarted) {
          heartbeatStarted = true;
          heartbeat.start();
        }
        heartbeat.beatNow();
        if (ack.inventory_wanted.length > 0) inventory.request(ack.inventory_wanted);
        jobs.onConnected(); // unacked results first thing after every reconnect (§6.6)
      },
      onJobRun: (payload) => jobs.handleRun(payload),
      onJobCancel: (payload) => jobs.handleCancel(payload),
      onDisconnected() {
        void state.update((s) => ({ ...s, socket_connected: false }));
      },
      onConfigChanged: (revision) => config.noteRevision(revision),
      onInventoryRefresh: (sections) => inventory.request(sections),
      onLifecycleError,
    },
  });
  const heartbeat = createHeartbeatLoop({
    session,
    socket,
    sampler: deps.sampler,
    runtime,
    clock,
    log,
    identity,
    inventoryHashes: () => inventory.hashes(),
    roleHealth,
    onAck(ack, path) {
      if (ack.inventory_wanted.length > 0) inventory.request(ack.inventory_wanted);
      config.noteRevision(ack.config_revision);
      const at = new Date(runtime.now()).toISOString();
      void state.update((s) => ({ ...s, last_ack_at: at, heartbeat_path: path, ...(ack.site_name ? { site_name: ack.site_name } : {}) }));
    },
    onSent() {
      const at = new Date(runtime.now()).toISOString();
      void state.update((s) => ({ ...s, last_heartbeat_at: at }));
    },
    onLifecycleError,
  });

  // Keep the token fresh even when no REST call needs it (the socket upgrade will).
  let refreshTimer: TimerHandle | undefined;
  const planRefresh = () => {
    refreshTimer?.cancel();
    const wait = Math.max(1000, session.refreshAt() - clock.now().getTime());
    refreshTimer = runtime.after(wait, () => {
      session.accessToken().then(planRefresh, (err: unknown) => {
        if (err instanceof LifecycleError) return onLifecycleError(err);
        log.warn('token refresh failed; retrying in 60 s', { error: (err as Error).message });
        refreshTimer = runtime.after(60_000, planRefresh);
      });
    });
  };
  planRefresh();

  socket.start(); // 6. socket + connect_agent
  // If the socket cannot register within 15 s, heartbeat over REST meanwhile (§4.3).
  const restFallback = runtime.after(15_000, () => {
    if (!heartbeatStarted) {
      heartbeatStarted = true;
      heartbeat.start();
      heartbeat.beatNow();
    }
  });
  await inventory.start({ fullFirst: deps.justEnrolled });

  const outcome = await done;
  signal.removeEventListener('abort', onAbort);
  restFallback.cancel();
  refreshTimer?.cancel();
  heartbeat.stop();
  jobs.stop();
  inventory.stop();
  config.stop();
  socket.stop();
  await state.update((s) => ({ ...s, socket_connected: false }));
  return outcome;
}

function bootIdOrZero(): string {
  try {
    // Read synchronously: registration builds its payload on every attempt.
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '00000000-0000-4000-8000-000000000000';
  }
}
