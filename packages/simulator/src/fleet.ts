// N virtual agents in one process: shared HTTPS pools spread over local source addresses, a ramp
// for start-up, state counts, counters, latency percentiles and the simulator's own CPU and memory.

import { isIP } from 'node:net';
import { Agent as HttpsAgent } from 'node:https';
import { createSecureContext } from 'node:tls';
import { DEFAULT_JOB_BEHAVIOUR, type JobBehaviour } from './quick-jobs';
import { createHttpTransport, type HttpTransport } from './http-transport';
import { Samples, SelfUsage, summarise, type LatencySummary } from './stats';
import { DEFAULT_HOST_OPTIONS, syntheticHost, type SyntheticHostOptions } from './synthetic-host';
import { VirtualAgent, type AgentState, type FleetRuntime } from './virtual-agent';

export interface FleetOptions {
  /** Engine origin, `https://host:port`. */
  readonly server: string;
  readonly agents: number;
  readonly enrollmentCode: string;
  /** PEM of the engine CA (`--engine-ca-pem`); the system store otherwise. */
  readonly caPem?: string;
  /** Host-name prefix; also seeds the synthetic inventory. */
  readonly prefix?: string;
  /** New agents started per second (enrolment ramp); 0 = all at once. */
  readonly rampPerSecond?: number;
  /** Local source addresses; defaults to 127.0.0.2… (one per 10k agents, at least 4) for a loopback server. */
  readonly localAddresses?: readonly string[];
  readonly jobs?: JobBehaviour;
  readonly host?: SyntheticHostOptions;
  readonly firstInventoryCheckMaxMs?: number;
  readonly heartbeatJitterS?: number;
  readonly random?: () => number;
}

export interface FleetSummary {
  readonly agents: number;
  readonly states: Record<AgentState, number>;
  readonly counters: Record<string, number>;
  readonly connect_latency: LatencySummary;
  readonly heartbeat_ack_latency: LatencySummary;
  readonly simulator: { cpu_percent: number; rss_mb: number; peak_rss_mb: number };
}

function defaultLocalAddresses(server: string, agents: number): string[] | undefined {
  const host = new URL(server).hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.'));
  if (!loopback) return undefined;
  const count = Math.max(4, Math.ceil(agents / 10_000));
  return Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
}

export class Fleet {
  readonly agents: VirtualAgent[] = [];
  readonly connectLatency = new Samples();
  readonly heartbeatAckLatency = new Samples();
  readonly counters = new Map<string, number>();
  /** When each occurrence of these counters happened (ms epoch): fan-out and enrolment timings. */
  readonly timeline = new Map<string, number[]>([
    ['enrolled', []],
    ['jobs_accepted', []],
    ['job_results_acked', []],
  ]);
  readonly states: Record<AgentState, number> = { new: 0, enrolling: 0, enrolled: 0, connecting: 0, online: 0, waiting: 0, stopped: 0, failed: 0 };
  private readonly http: HttpTransport;
  private readonly usage = new SelfUsage();
  private offsetMs = 0;
  private readonly listeners = new Set<() => void>();

  constructor(readonly options: FleetOptions) {
    this.http = createHttpTransport({ origin: options.server, ca: options.caPem });
    const addresses = options.localAddresses ?? defaultLocalAddresses(options.server, options.agents);
    const setOffset = (ms: number) => (this.offsetMs = ms);
    const getOffset = () => this.offsetMs;
    const rt: FleetRuntime = {
      http: this.http,
      origin: new URL(options.server).origin,
      ca: options.caPem,
      // A new context per connection parsed the CA PEM every time: 15 % of the simulator's CPU in
      // a 10,000-agent reconnect storm, work a real agent does once on its own machine.
      ...(options.caPem ? { socketAgent: new HttpsAgent({ secureContext: createSecureContext({ ca: options.caPem }), maxCachedSessions: 0 }) } : {}),
      enrollmentCode: options.enrollmentCode,
      clock: {
        now: () => new Date(Date.now() + getOffset()),
        resync(dateHeader) {
          const at = dateHeader ? Date.parse(dateHeader) : NaN;
          if (Number.isFinite(at)) setOffset(at - Date.now());
        },
      },
      random: options.random ?? Math.random,
      jobs: options.jobs ?? DEFAULT_JOB_BEHAVIOUR,
      firstInventoryCheckMaxMs: options.firstInventoryCheckMaxMs ?? 300_000,
      heartbeatJitterS: options.heartbeatJitterS ?? 5,
      stats: {
        count: (name, by = 1) => {
          this.counters.set(name, (this.counters.get(name) ?? 0) + by);
          this.timeline.get(name)?.push(Date.now());
        },
      },
      connectLatency: this.connectLatency,
      heartbeatAckLatency: this.heartbeatAckLatency,
      onStateChange: (_agent, from, to) => {
        this.states[from] -= 1;
        this.states[to] += 1;
        for (const l of this.listeners) l();
      },
    };
    const prefix = options.prefix ?? 'sim';
    for (let i = 0; i < options.agents; i += 1) {
      const agent = new VirtualAgent(i, syntheticHost(i, prefix, options.host ?? DEFAULT_HOST_OPTIONS), rt, addresses?.[i % addresses.length]);
      this.agents.push(agent);
      this.states.new += 1;
    }
  }

  /** Starts every agent, `rampPerSecond` at a time; resolves once all were started (not online). */
  async start(agents: readonly VirtualAgent[] = this.agents): Promise<void> {
    const rate = this.options.rampPerSecond ?? 0;
    if (rate <= 0) {
      for (const a of agents) void a.start();
      return;
    }
    const batch = Math.max(1, Math.round(rate / 10));
    for (let i = 0; i < agents.length; i += batch) {
      for (const a of agents.slice(i, i + batch)) void a.start();
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  stop(): void {
    for (const a of this.agents) a.stop();
    this.http.close();
  }

  online(): number {
    return this.states.online;
  }

  /** Resolves when `predicate` holds (checked on every state change and every 250 ms), or rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
    return new Promise((resolve, reject) => {
      if (predicate()) return resolve();
      // Predicates may scan the whole fleet: evaluated at most every 50 ms, not on every state change.
      let queued = false;
      const evaluate = () => {
        queued = false;
        if (!predicate()) return;
        done();
        resolve();
      };
      const check = () => {
        if (queued) return;
        queued = true;
        setTimeout(evaluate, 50);
      };
      const poll = setInterval(evaluate, 250);
      const timer = setTimeout(() => {
        done();
        reject(new Error(`fleet: ${what} not reached within ${timeoutMs} ms (${JSON.stringify(this.states)})`));
      }, timeoutMs);
      const done = () => {
        clearInterval(poll);
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }

  counter(name: string): number {
    return this.counters.get(name) ?? 0;
  }

  summary(): FleetSummary {
    const self = this.usage.sample();
    return {
      agents: this.agents.length,
      states: { ...this.states },
      counters: Object.fromEntries([...this.counters.entries()].sort(([a], [b]) => a.localeCompare(b))),
      connect_latency: summarise(this.connectLatency),
      heartbeat_ack_latency: summarise(this.heartbeatAckLatency),
      simulator: { ...self, peak_rss_mb: Math.round(this.usage.peakRss / 2 ** 20) },
    };
  }
}
