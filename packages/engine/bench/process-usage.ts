// CPU and memory of other processes from /proc (the engine, PostgreSQL backends, the bare baseline
// server), sampled once a second, and PostgreSQL's own write counters for one database.

import { readFileSync } from 'node:fs';
import pg from 'pg';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

function rssBytes(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** The whole machine's CPU time so far (all cores, from /proc/stat): busy and total ticks. */
export function machineCpuTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy, total: busy + idle! + iowait! };
}

/** Share of all cores busy between two readings, in % (100 = every core saturated). */
export function machineBusyPercent(a: { busy: number; total: number }, b: { busy: number; total: number }): number {
  return Math.round((1000 * (b.busy - a.busy)) / Math.max(1, b.total - a.total)) / 10;
}

/** CPU % (of one core) averaged over a window and the peak RSS, for a set of pids that may change. */
export class ProcessSampler {
  private ticks = new Map<number, number>();
  private usedTicks = 0;
  private startedAt = performance.now();
  private timer: NodeJS.Timeout | null = null;
  peakRssBytes = 0;
  lastRssBytes = 0;

  constructor(private readonly pids: () => readonly number[]) {}

  start(): void {
    this.usedTicks = 0;
    this.peakRssBytes = 0;
    this.ticks.clear();
    this.startedAt = performance.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  private sample(): void {
    let rss = 0;
    for (const pid of this.pids()) {
      const t = cpuTicks(pid);
      if (t === null) continue;
      const before = this.ticks.get(pid);
      if (before !== undefined) this.usedTicks += t - before;
      this.ticks.set(pid, t);
      rss += rssBytes(pid) ?? 0;
    }
    this.lastRssBytes = rss;
    this.peakRssBytes = Math.max(this.peakRssBytes, rss);
  }

  /** Stops and returns the window's figures. */
  stop(): { cpuPercent: number; peakRssMb: number; seconds: number } {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    const seconds = (performance.now() - this.startedAt) / 1000;
    return { cpuPercent: Math.round((this.usedTicks / TICKS_PER_SECOND / Math.max(0.001, seconds)) * 1000) / 10, peakRssMb: Math.round(this.peakRssBytes / 2 ** 20), seconds };
  }
}

export interface PgWriteCounters {
  readonly commits: number;
  /** Rows inserted + updated + deleted, per table. */
  readonly tables: ReadonlyMap<string, number>;
}

/** Cumulative commits (pg_stat_database) and rows written per table (pg_stat_user_tables) of one database. */
export async function pgWriteCounters(adminUrl: string, databaseUrl: string, database: string): Promise<PgWriteCounters> {
  const admin = new pg.Client({ connectionString: adminUrl });
  const own = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await own.connect();
  try {
    const commits = await admin.query<{ commits: string }>('SELECT xact_commit::text AS commits FROM pg_stat_database WHERE datname = $1', [database]);
    const tables = await own.query<{ name: string; written: string }>(
      'SELECT relname AS name, (n_tup_ins + n_tup_upd + n_tup_del)::text AS written FROM pg_stat_user_tables',
    );
    return { commits: Number(commits.rows[0]?.commits ?? 0), tables: new Map(tables.rows.map((r) => [r.name, Number(r.written)])) };
  } finally {
    await admin.end();
    await own.end();
  }
}

/** Rows written per table between two readings, largest first. */
export function writtenBetween(a: PgWriteCounters, b: PgWriteCounters): Array<[string, number]> {
  return [...b.tables].map(([name, n]): [string, number] => [name, n - (a.tables.get(name) ?? 0)]).filter(([, n]) => n > 0).sort((x, y) => y[1] - x[1]);
}

/** PIDs of the server processes serving one database (their CPU is the database's share). */
export async function pgBackendPids(adminUrl: string, database: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
    return rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}
