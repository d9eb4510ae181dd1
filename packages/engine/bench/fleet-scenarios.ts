// Fleet benchmarks (issue 8) driven by the simulator against the engine as its own process:
// hold (heartbeat ack latency, engine CPU/RSS, database writes), restart (all back online), enroll
// (M agents at once), baseline (a bare Socket.IO server under the same load, in the same run) and
// fanout (one quick job to every agent; reported as not available while quick jobs are missing).

import { createServer } from 'node:net';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Fleet, type VirtualAgent } from '@borealis/simulator';
import { makeHome } from '../test/engine-harness';
import { createPostgresDatabase, POSTGRES_ADMIN_URL, type TestPostgresDatabase } from '../test/databases';
import { runtimePaths } from '../src/runtime-paths';
import { autoApprovingSite, bootstrapAdmin, startEngineProcess, type EngineProcess, type OperatorHttps } from './engine-process';
import { machineBusyPercent, machineCpuTicks, pgBackendPids, pgWriteCounters, ProcessSampler, writtenBetween } from './process-usage';
import type { Figure, ScenarioContext, ScenarioOutcome } from './run';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);
const log = (text: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

interface Rig {
  readonly home: string;
  readonly port: number;
  readonly postgres: TestPostgresDatabase | undefined;
  engine: EngineProcess;
  readonly admin: OperatorHttps;
  readonly site: { id: number; code: string };
  readonly fleet: Fleet;
  restartEngine(): Promise<EngineProcess>;
  close(): Promise<void>;
}

/** A fresh engine process (own home, own database), a first admin, an auto-approving site and a fleet. */
async function rig(ctx: ScenarioContext, agents: number, rampPerSecond: number): Promise<Rig> {
  const home = makeHome();
  const port = await freePort();
  const postgres = ctx.database === 'postgres' ? await createPostgresDatabase('bench') : undefined;
  const profileDir = process.env.BENCH_CPU_PROF;
  const start = () => startEngineProcess({ home, port, databaseUrl: postgres?.url, cpuProfDir: profileDir });
  let engine = await start();
  const admin = await bootstrapAdmin(engine, home);
  const site = await autoApprovingSite(admin, 'Bench fleet');
  const fleet = new Fleet({ server: engine.url, agents, enrollmentCode: site.code, caPem: engine.caPem, rampPerSecond, prefix: 'bench' });
  const r: Rig = {
    home,
    port,
    postgres,
    get engine() {
      return engine;
    },
    set engine(e) {
      engine = e;
    },
    admin,
    site,
    fleet,
    async restartEngine() {
      engine = await start();
      return engine;
    },
    async close() {
      fleet.stop();
      await engine.stop().catch(() => undefined);
      await postgres?.drop().catch(() => undefined);
      if (!process.env.BENCH_KEEP_HOME) rmSync(home, { recursive: true, force: true });
      else log(`engine home kept at ${home}`);
    },
  };
  return r;
}

/**
 * With BENCH_SHARE_FLEET=1, `npm run bench -- hold baseline restart --agents 10000` enrols the fleet
 * once and the scenarios run one after another on it (enrolling 10,000 agents takes minutes here).
 */
let shared: { key: string; rig: Rig; onlineS: number } | null = null;

async function acquireRig(ctx: ScenarioContext, agents: number): Promise<{ rig: Rig; onlineS: number; release(): Promise<void> }> {
  const key = `${ctx.database}/${agents}`;
  const sharing = process.env.BENCH_SHARE_FLEET === '1';
  if (sharing && shared?.key === key) {
    const r = shared.rig;
    await r.fleet.waitFor(() => r.fleet.online() === agents, 300_000, 'shared fleet online');
    return { rig: r, onlineS: shared.onlineS, release: async () => undefined };
  }
  await closeSharedFleet();
  // New agents per second: a start rate the engine can enrol keeps retries (and wasted work) down.
  const r = await rig(ctx, agents, Number(process.env.BENCH_RAMP ?? 50));
  const onlineS = await bringOnline(r);
  if (sharing) shared = { key, rig: r, onlineS };
  return { rig: r, onlineS, release: sharing ? async () => undefined : () => r.close() };
}

/** Called by the runner after the last scenario. */
export async function closeSharedFleet(): Promise<void> {
  const s = shared;
  shared = null;
  await s?.rig.close();
}

/** Enrols and connects the whole fleet; returns the seconds it took. */
async function bringOnline(r: Rig): Promise<number> {
  const n = r.fleet.agents.length;
  const t0 = Date.now();
  const progress = setInterval(() => log(`online ${r.fleet.online()}/${n} ${JSON.stringify(r.fleet.states)}`), 15_000);
  try {
    await r.fleet.start();
    await r.fleet.waitFor(() => r.fleet.online() === n, 180_000 + n * 200, 'all agents online');
  } finally {
    clearInterval(progress);
  }
  const seconds = (Date.now() - t0) / 1000;
  log(`counters: ${JSON.stringify(r.fleet.summary().counters)}`);
  // The first full inventory uploads follow registration; let them land before measuring.
  await r.fleet.waitFor(() => r.fleet.counter('inventory_full_uploads') >= n, 120_000 + n * 20, 'first inventory uploads').catch((e: Error) => log(e.message));
  await sleep(5_000);
  // BENCH_MEASURE_AFTER=HH:MM (UTC): enrol early, measure once the shared machine is quieter.
  const after = process.env.BENCH_MEASURE_AFTER;
  if (after) {
    const at = new Date(`${new Date().toISOString().slice(0, 10)}T${after}:00Z`).getTime();
    if (at > Date.now()) {
      log(`holding ${n} agents until ${after} UTC before measuring`);
      await sleep(at - Date.now());
    }
  }
  return seconds;
}

interface HoldFigures {
  readonly figures: Figure[];
  readonly engineCpu: number;
  readonly beatsPerS: number;
  readonly p99: number | null;
  readonly note: string | undefined;
}

/** Holds the fleet for `seconds` against whatever serves the port, measuring `pid` (and PostgreSQL). */
async function measureHold(r: Rig, seconds: number, pid: number, label: string): Promise<HoldFigures> {
  const f = r.fleet;
  f.heartbeatAckLatency.reset();
  const beats0 = f.counter('heartbeats_acked');
  const errors0 = f.counter('heartbeat_ack_timeouts') + [...f.counters.entries()].filter(([k]) => k.startsWith('heartbeat_error_')).reduce((n, [, v]) => n + v, 0);
  const sampler = new ProcessSampler(() => [pid]);
  const pgPids = r.postgres && label === 'engine' ? await pgBackendPids(POSTGRES_ADMIN_URL, r.postgres.name) : [];
  const pgSampler = new ProcessSampler(() => pgPids);
  const pg0 = r.postgres && label === 'engine' ? await pgWriteCounters(POSTGRES_ADMIN_URL, r.postgres.url, r.postgres.name) : null;
  f.summary(); // resets the simulator's own CPU window
  sampler.start();
  pgSampler.start();
  const progress = setInterval(() => {
    const s = f.summary();
    log(`${label} hold: online ${s.states.online} ack p99 ${s.heartbeat_ack_latency.p99_ms} ms, sim cpu ${s.simulator.cpu_percent}%`);
  }, 30_000);
  await sleep(seconds * 1000);
  clearInterval(progress);
  const usage = sampler.stop();
  const pgUsage = pgSampler.stop();
  const pg1 = pg0 && r.postgres ? await pgWriteCounters(POSTGRES_ADMIN_URL, r.postgres.url, r.postgres.name) : null;
  const s = f.summary();
  const beats = f.counter('heartbeats_acked') - beats0;
  const errors = f.counter('heartbeat_ack_timeouts') + [...f.counters.entries()].filter(([k]) => k.startsWith('heartbeat_error_')).reduce((n, [, v]) => n + v, 0) - errors0;
  const beatsPerS = beats / usage.seconds;
  const p = label === 'engine' ? 'engine_' : 'bare_';
  const figures: Figure[] = [
    { name: `${p}heartbeat_ack_p50`, value: s.heartbeat_ack_latency.p50_ms, unit: 'ms' },
    { name: `${p}heartbeat_ack_p99`, value: s.heartbeat_ack_latency.p99_ms, unit: 'ms' },
    { name: `${p}heartbeat_ack_max`, value: s.heartbeat_ack_latency.max_ms, unit: 'ms' },
    { name: `${p}heartbeats_acked_per_s`, value: round1(beatsPerS), unit: '1/s' },
    { name: `${p}heartbeat_errors`, value: errors, unit: 'count' },
    { name: `${p}cpu`, value: usage.cpuPercent, unit: '% of one core' },
    { name: `${p}rss_peak`, value: usage.peakRssMb, unit: 'MB' },
    { name: `${p}online_at_end`, value: s.states.online, unit: 'agents' },
    { name: `${p}simulator_cpu`, value: s.simulator.cpu_percent, unit: '% of one core' },
    { name: `${p}simulator_rss`, value: s.simulator.rss_mb, unit: 'MB' },
  ];
  let note: string | undefined;
  if (pg0 && pg1) {
    const written = writtenBetween(pg0, pg1);
    const perS = (rows: number) => round1(rows / usage.seconds);
    note = `rows written per table: ${written.slice(0, 6).map(([t, n]) => `${t} ${perS(n)}/s`).join(', ') || 'none'}`;
    figures.push(
      { name: 'db_rows_written_per_s', value: perS(written.reduce((a, [, n]) => a + n, 0)), unit: 'rows/s' },
      { name: 'db_heartbeat_rows_per_s', value: perS(written.find(([t]) => t === 'device_heartbeat_state')?.[1] ?? 0), unit: 'rows/s' },
      { name: 'db_commits_per_s', value: round1((pg1.commits - pg0.commits) / usage.seconds), unit: '1/s' },
      { name: 'postgres_cpu', value: pgUsage.cpuPercent, unit: '% of one core' },
    );
  }
  return { figures, engineCpu: usage.cpuPercent, beatsPerS, p99: s.heartbeat_ack_latency.p99_ms, note };
}

function holdSeconds(ctx: ScenarioContext): number {
  return ctx.durationS ?? 120;
}

export async function holdScenario(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const n = ctx.agents ?? 1000;
  const { rig: r, onlineS, release } = await acquireRig(ctx, n);
  try {
    log(`hold: ${n} agents online after ${onlineS} s; measuring ${holdSeconds(ctx)} s`);
    const hold = await measureHold(r, holdSeconds(ctx), r.engine.pid, 'engine');
    const s = r.fleet.summary();
    return {
      agents: n,
      figures: [
        { name: 'enrol_and_connect', value: round1(onlineS), unit: 's' },
        { name: 'connect_p50', value: s.connect_latency.p50_ms, unit: 'ms' },
        { name: 'connect_p99', value: s.connect_latency.p99_ms, unit: 'ms' },
        ...hold.figures,
        { name: 'hold_duration', value: holdSeconds(ctx), unit: 's' },
      ],
      note: hold.note,
    };
  } finally {
    await release();
  }
}

export async function restartScenario(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const n = ctx.agents ?? 1000;
  const { rig: r, release } = await acquireRig(ctx, n);
  try {
    const countersBefore = new Map(r.fleet.counters);
    const during = (name: string) => r.fleet.counter(name) - (countersBefore.get(name) ?? 0);
    r.fleet.summary(); // starts the simulator's own CPU window at the stop
    const stoppedAt = Date.now();
    log(`restart: stopping the engine with ${n} agents online`);
    const exitCode = await r.engine.stop();
    const downAt = Date.now();
    // Exit 1 means the engine's stop ran into its 10 s deadline (engine.log says which step was slow).
    if (exitCode !== 0) log(`restart: the engine exited with ${exitCode} after ${round1((downAt - stoppedAt) / 1000)} s`);
    const engine = await r.restartEngine();
    const readyAt = Date.now();
    const sampler = new ProcessSampler(() => [engine.pid]);
    sampler.start();
    const machine0 = machineCpuTicks();
    const progress = setInterval(() => {
      const missing = r.fleet.agents.filter((a: VirtualAgent) => !a.registeredSince(stoppedAt));
      // The tail is decided by the agents' own backoff step (§5.2): show where the missing ones are.
      const tail = missing.length > 0 && missing.length <= n * 0.05 ? ` missing by state/attempt ${JSON.stringify(tally(missing.map((a) => `${a.state}/${a.reconnectAttempt}`)))}` : '';
      log(`restart: back ${n - missing.length}/${n}${tail}`);
    }, 10_000);
    let allBackAt: number | null = null;
    try {
      await r.fleet.waitFor(() => r.fleet.agents.every((a) => a.registeredSince(stoppedAt)), 300_000, 'all agents back online');
      allBackAt = Date.now();
    } catch (err) {
      log((err as Error).message);
    } finally {
      clearInterval(progress);
    }
    const usage = sampler.stop();
    const machineBusy = machineBusyPercent(machine0, machineCpuTicks());
    const simulator = r.fleet.summary().simulator;
    const backAgents = r.fleet.agents.filter((a) => a.registeredSince(stoppedAt));
    const back = backAgents.length;
    const backTimes = backAgents.map((a) => a.lastRegisteredAt);
    const changed = [...r.fleet.counters.keys()].filter((k) => during(k) !== 0).map((k) => [k, during(k)]);
    log(`restart: simulator counters during recovery ${JSON.stringify(Object.fromEntries(changed.sort()))}`);
    return {
      agents: n,
      figures: [
        { name: 'all_back_online_from_stop', value: allBackAt === null ? null : round1((allBackAt - stoppedAt) / 1000), unit: 's' },
        { name: 'all_back_online_from_ready', value: allBackAt === null ? null : round1((allBackAt - readyAt) / 1000), unit: 's' },
        { name: 'back_95_from_stop', value: timeToShare(backTimes, stoppedAt, n, 0.95), unit: 's' },
        { name: 'back_99_from_stop', value: timeToShare(backTimes, stoppedAt, n, 0.99), unit: 's' },
        { name: 'engine_stop', value: round1((downAt - stoppedAt) / 1000), unit: 's' },
        { name: 'engine_start', value: round1((readyAt - downAt) / 1000), unit: 's' },
        { name: 'back_online', value: back, unit: 'agents' },
        { name: 'server_busy_refusals', value: during('connect_error_server_busy'), unit: 'count' },
        { name: 'refused_while_down', value: during('connect_error_network'), unit: 'count' },
        { name: 'refreshes_during', value: during('refreshes'), unit: 'count' },
        { name: 'engine_cpu_recovery', value: usage.cpuPercent, unit: '% of one core' },
        { name: 'engine_rss_peak_recovery', value: usage.peakRssMb, unit: 'MB' },
        // The fleet's side of the storm (TLS handshakes, proofs, reconnect timers) shares the cores.
        { name: 'simulator_cpu_recovery', value: simulator.cpu_percent, unit: '% of one core' },
        { name: 'machine_cpu_busy_recovery', value: machineBusy, unit: '% of all cores' },
      ],
    };
  } finally {
    await release();
  }
}

export async function enrollScenario(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const n = ctx.agents ?? 2000;
  const r = await rig(ctx, n, 0);
  try {
    const t0 = Date.now();
    await r.fleet.start();
    const done = () => r.fleet.agents.every((a) => a.enrolledAt > 0 || a.state === 'failed');
    await r.fleet.waitFor(done, 600_000, 'every agent enrolled or failed').catch((e: Error) => log(e.message));
    const enrolled = r.fleet.agents.filter((a) => a.enrolledAt > 0);
    const last = enrolled.reduce((m, a) => Math.max(m, a.enrolledAt), t0);
    const times = enrolled.map((a) => a.enrolledAt - t0).sort((a, b) => a - b);
    const pct = (p: number) => (times.length ? times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)]! : null);
    const errorCounters = [...r.fleet.counters.entries()].filter(([k]) => k.startsWith('enroll_') && k !== 'enrolled');
    await r.fleet.waitFor(() => r.fleet.online() === enrolled.length, 120_000, 'enrolled agents online').catch((e: Error) => log(e.message));
    const onlineAt = Date.now();
    return {
      agents: n,
      figures: [
        { name: 'enrol_all_completed', value: enrolled.length === n ? round1((last - t0) / 1000) : null, unit: 's' },
        { name: 'enrol_p50', value: round1(pct(50) === null ? null : pct(50)! / 1000), unit: 's' },
        { name: 'enrol_p99', value: round1(pct(99) === null ? null : pct(99)! / 1000), unit: 's' },
        { name: 'enrolled', value: enrolled.length, unit: 'agents' },
        { name: 'failed', value: n - enrolled.length, unit: 'agents' },
        { name: 'http_errors_retried', value: errorCounters.reduce((s, [, v]) => s + v, 0) + r.fleet.counter('http_network_errors'), unit: 'count' },
        { name: 'all_online_after', value: round1((onlineAt - t0) / 1000), unit: 's' },
      ],
      note: errorCounters.length ? `enrolment errors: ${errorCounters.map(([k, v]) => `${k}=${v}`).join(', ')}` : undefined,
    };
  } finally {
    await r.close();
  }
}

export async function baselineScenario(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const n = ctx.agents ?? 1000;
  const seconds = holdSeconds(ctx);
  const { rig: r, release } = await acquireRig(ctx, n);
  let bare: ReturnType<typeof spawn> | null = null;
  try {
    const engineHold = await measureHold(r, seconds, r.engine.pid, 'engine');
    // Same port, same certificate: the fleet reconnects to the bare server by its own policy.
    await r.engine.stop();
    const certs = runtimePaths(r.home, 'all').certificates;
    const switchedAt = Date.now();
    bare = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'bare-socket-server.ts')], {
      env: { ...process.env, BARE_PORT: String(r.port), BARE_CERT: join(certs, 'server.pem'), BARE_KEY: join(certs, 'server.key') },
      stdio: 'ignore',
    });
    await r.fleet.waitFor(() => r.fleet.agents.every((a) => a.registeredSince(switchedAt)), 300_000, 'all agents on the bare server');
    await sleep(5_000);
    const bareHold = await measureHold(r, seconds, bare.pid!, 'bare');
    const perBeat = (cpu: number, rate: number) => cpu / Math.max(0.001, rate);
    const ratio = perBeat(engineHold.engineCpu, engineHold.beatsPerS) / Math.max(1e-9, perBeat(bareHold.engineCpu, bareHold.beatsPerS));
    return {
      agents: n,
      figures: [
        ...engineHold.figures,
        ...bareHold.figures,
        { name: 'engine_to_bare_cpu_per_heartbeat', value: Math.round(ratio * 100) / 100, unit: 'x' },
        { name: 'engine_to_bare_ack_p99', value: engineHold.p99 !== null && bareHold.p99 ? Math.round((engineHold.p99 / bareHold.p99) * 100) / 100 : null, unit: 'x' },
        { name: 'hold_duration', value: seconds, unit: 's' },
      ],
      note: engineHold.note,
    };
  } finally {
    if (bare && bare.exitCode === null) {
      const gone = new Promise((res) => bare!.once('exit', res));
      bare.kill('SIGTERM');
      await gone;
    }
    if (shared?.rig === r) {
      // Leave the shared fleet on a running engine for the next scenario.
      const since = Date.now();
      await r.restartEngine();
      await r.fleet.waitFor(() => r.fleet.agents.every((a) => a.registeredSince(since)), 300_000, 'fleet back on the engine').catch((e: Error) => log(e.message));
    }
    await release();
  }
}

/** How often each value occurs. */
function tally(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/** Time from `t0` until `share` of `n` occurrences happened, in seconds (null if never). */
function timeToShare(times: readonly number[], t0: number, n: number, share: number): number | null {
  const after = times.filter((t) => t >= t0).sort((a, b) => a - b);
  const need = Math.ceil(n * share);
  return after.length >= need ? round1((after[need - 1]! - t0) / 1000) : null;
}

export async function fanoutScenario(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const n = ctx.agents ?? 1000;
  // Probe before enrolling a fleet: the dispatch route belongs to the automation domain.
  const probeRig = shared ? null : await rig(ctx, 0, 0);
  try {
    const admin = shared?.rig.admin ?? probeRig!.admin;
    const probe = await admin.post('/api/scripts/quick_run', {});
    if (probe.status === 404) return { agents: n, figures: [], note: 'not available: quick jobs not implemented (POST /api/scripts/quick_run answers 404)' };
  } finally {
    await probeRig?.close();
  }
  const { rig: r, release } = await acquireRig(ctx, n);
  try {
    const created = await r.admin.post('/api/assemblies', { display_name: 'Bench fan-out', payload: { type: 'bash', script: 'echo bench fan-out' } });
    const assemblyGuid = (created.body as { assembly_guid?: string } | null)?.assembly_guid;
    if (created.status >= 300 || !assemblyGuid) return { agents: n, figures: [], note: `not available: creating the script assembly answered ${created.status} ${JSON.stringify(created.body).slice(0, 200)}` };
    // Who used the two cores during the fan-out: a miss with the machine saturated and the engine
    // idle part of the time is the shared machine's, not the engine's.
    const engineSampler = new ProcessSampler(() => [r.engine.pid]);
    const pgPids = r.postgres ? await pgBackendPids(POSTGRES_ADMIN_URL, r.postgres.name) : [];
    const pgSampler = new ProcessSampler(() => pgPids);
    r.fleet.summary(); // starts the simulator's own CPU window
    const machine0 = machineCpuTicks();
    engineSampler.start();
    pgSampler.start();
    const t0 = Date.now();
    const dispatch = await r.admin.post('/api/scripts/quick_run', { assembly_guid: assemblyGuid, targets: { site_ids: [r.site.id] }, run_mode: 'system', expires_in_seconds: 600 });
    const dispatchMs = Date.now() - t0;
    const quickJobId = (dispatch.body as { quick_job_id?: string } | null)?.quick_job_id;
    if (dispatch.status !== 202 || !quickJobId) return { agents: n, figures: [], note: `not available: quick_run answered ${dispatch.status} ${JSON.stringify(dispatch.body).slice(0, 200)}` };
    // Stored results are read back from the engine, so the figure includes the fan-in flush.
    let stored99At: number | null = null;
    let counts: Record<string, number> = {};
    const deadline = t0 + 180_000;
    while (Date.now() < deadline) {
      const job = await r.admin.get(`/api/quick_jobs/${quickJobId}`);
      counts = ((job.body as { counts?: Record<string, number> } | null)?.counts ?? {}) as Record<string, number>;
      const terminal = ['success', 'warning', 'failed', 'expired', 'timed_out', 'skipped', 'cancelled'].reduce((a, k) => a + (counts[k] ?? 0), 0);
      if (terminal >= Math.ceil(n * 0.99)) {
        stored99At = Date.now();
        break;
      }
      await sleep(250);
    }
    const engineUsage = engineSampler.stop();
    const pgUsage = pgSampler.stop();
    const simulatorCpu = r.fleet.summary().simulator.cpu_percent;
    const machineBusy = machineBusyPercent(machine0, machineCpuTicks());
    return {
      agents: n,
      figures: [
        { name: 'dispatch_response', value: dispatchMs, unit: 'ms' },
        { name: 'started_95', value: timeToShare(r.fleet.timeline.get('jobs_accepted') ?? [], t0, n, 0.95), unit: 's' },
        { name: 'results_stored_99', value: stored99At === null ? null : round1((stored99At - t0) / 1000), unit: 's' },
        { name: 'results_acked_99', value: timeToShare(r.fleet.timeline.get('job_results_acked') ?? [], t0, n, 0.99), unit: 's' },
        { name: 'success', value: counts.success ?? 0, unit: 'targets' },
        { name: 'failed', value: counts.failed ?? 0, unit: 'targets' },
        { name: 'engine_cpu', value: engineUsage.cpuPercent, unit: '% of one core' },
        { name: 'simulator_cpu', value: simulatorCpu, unit: '% of one core' },
        ...(r.postgres ? [{ name: 'postgres_cpu', value: pgUsage.cpuPercent, unit: '% of one core' }] : []),
        { name: 'machine_cpu_busy', value: machineBusy, unit: '% of all cores' },
      ],
      note: 'results_stored_99 is polled from GET /api/quick_jobs/:id every 250 ms',
    };
  } finally {
    await release();
  }
}
