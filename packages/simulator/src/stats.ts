// Latency samples and counters the fleet reports (agent-protocol §11: connect and ack latency
// percentiles), plus the simulator's own CPU and memory so they can be told apart from the engine's.

export class Samples {
  private values: number[] = [];
  private sorted = true;

  add(ms: number): void {
    this.values.push(ms);
    this.sorted = false;
  }

  get count(): number {
    return this.values.length;
  }

  /** Nearest-rank percentile in ms, or null with no samples. */
  percentile(p: number): number | null {
    if (!this.values.length) return null;
    if (!this.sorted) {
      this.values.sort((a, b) => a - b);
      this.sorted = true;
    }
    const rank = Math.min(this.values.length - 1, Math.max(0, Math.ceil((p / 100) * this.values.length) - 1));
    return this.values[rank]!;
  }

  max(): number | null {
    return this.percentile(100);
  }

  reset(): void {
    this.values = [];
    this.sorted = true;
  }
}

export interface LatencySummary {
  readonly count: number;
  readonly p50_ms: number | null;
  readonly p90_ms: number | null;
  readonly p99_ms: number | null;
  readonly max_ms: number | null;
}

export function summarise(samples: Samples): LatencySummary {
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return { count: samples.count, p50_ms: round(samples.percentile(50)), p90_ms: round(samples.percentile(90)), p99_ms: round(samples.percentile(99)), max_ms: round(samples.max()) };
}

/** CPU % of one core and RSS of this process between two calls. */
export class SelfUsage {
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  peakRss = process.memoryUsage.rss();

  sample(): { cpu_percent: number; rss_mb: number } {
    const cpu = process.cpuUsage(this.lastCpu);
    const now = performance.now();
    const elapsedMs = Math.max(1, now - this.lastAt);
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    const rss = process.memoryUsage.rss();
    this.peakRss = Math.max(this.peakRss, rss);
    return { cpu_percent: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10, rss_mb: Math.round(rss / 2 ** 20) };
  }
}
