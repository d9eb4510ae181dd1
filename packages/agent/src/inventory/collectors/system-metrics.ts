// The fast gauges of the heartbeat (agent-protocol.md §4.3) from /proc: CPU (delta of /proc/stat
// between calls), memory, swap, load, process count, boot id, uptime, disks, users, default-route IP.
import { networkInterfaces } from 'node:os';
import type { HostReader } from '../host-reader';
import { listRealMounts, statMount } from './storage';
import { whoSessions } from './sessions';

export interface CpuTimes {
  readonly idle: number;
  readonly total: number;
}

export function parseCpuTimes(stat: string | undefined): CpuTimes | undefined {
  const line = stat?.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle, total };
}

export function cpuPercent(previous: CpuTimes, current: CpuTimes): number {
  const total = current.total - previous.total;
  if (total <= 0) return 0;
  return clampPercent(((total - (current.idle - previous.idle)) / total) * 100);
}

export function parseMeminfo(text: string | undefined): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of (text ?? '').split('\n')) {
    const match = /^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (match?.[1] && match[2]) map.set(match[1], Number(match[2]) * (line.includes('kB') ? 1024 : 1));
  }
  return map;
}

export function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, Math.round(value * 10) / 10));
}

/** Interface of the default IPv4 route, from /proc/net/route. */
export function defaultRouteInterface(routeTable: string | undefined): string | undefined {
  for (const line of (routeTable ?? '').split('\n').slice(1)) {
    const [iface, destination, , , , , , mask] = line.trim().split(/\s+/);
    if (destination === '00000000' && mask === '00000000') return iface;
  }
  return undefined;
}

export function internalIp(routeTable: string | undefined): string | null {
  const iface = defaultRouteInterface(routeTable);
  const candidates = iface ? networkInterfaces()[iface] : undefined;
  const v4 = candidates?.find((a) => a.family === 'IPv4' && !a.internal);
  if (v4) return v4.address;
  for (const list of Object.values(networkInterfaces())) {
    const any = list?.find((a) => a.family === 'IPv4' && !a.internal);
    if (any) return any.address;
  }
  return null;
}

export interface SystemMetrics {
  readonly boot_id: string;
  readonly uptime_s: number;
  readonly last_reboot: string | null;
  readonly metrics: {
    cpu_percent: number;
    memory_percent: number;
    swap_percent: number;
    load_1m: number;
    load_5m: number;
    load_15m: number;
    process_count: number;
  };
  readonly disks: Array<{ drive: string; usage: number }>;
  readonly last_user: string | null;
  readonly logged_in_users: string[];
  readonly internal_ip: string | null;
}

export interface MetricsSampler {
  sample(nowMs: number): Promise<SystemMetrics>;
}

export function createMetricsSampler(reader: HostReader): MetricsSampler {
  let previousCpu: CpuTimes | undefined;
  return {
    async sample(nowMs) {
      const [stat, meminfo, loadavg, uptime, bootId, route, procEntries] = await Promise.all([
        reader.readText('/proc/stat'),
        reader.readText('/proc/meminfo'),
        reader.readText('/proc/loadavg'),
        reader.readText('/proc/uptime'),
        reader.readText('/proc/sys/kernel/random/boot_id'),
        reader.readText('/proc/net/route'),
        reader.list('/proc'),
      ]);
      let cpu = parseCpuTimes(stat);
      let cpuPct = 0;
      if (cpu && !previousCpu) {
        // First beat: a short second sample instead of "since boot".
        await new Promise((r) => setTimeout(r, 250));
        previousCpu = cpu;
        cpu = parseCpuTimes(await reader.readText('/proc/stat')) ?? cpu;
      }
      if (cpu && previousCpu) cpuPct = cpuPercent(previousCpu, cpu);
      previousCpu = cpu;
      const mem = parseMeminfo(meminfo);
      const total = mem.get('MemTotal') ?? 0;
      const available = mem.get('MemAvailable') ?? mem.get('MemFree') ?? 0;
      const swapTotal = mem.get('SwapTotal') ?? 0;
      const swapFree = mem.get('SwapFree') ?? 0;
      const [l1, l5, l15] = (loadavg ?? '0 0 0').trim().split(/\s+/).map(Number);
      const uptimeS = Math.floor(Number((uptime ?? '0').split(' ')[0]) || 0);
      const mounts = (await listRealMounts(reader)).slice(0, 32);
      const disks: Array<{ drive: string; usage: number }> = [];
      for (const mount of mounts) {
        const stats = await statMount(mount.mountPoint);
        if (stats) disks.push({ drive: mount.mountPoint.slice(0, 512), usage: Math.round(stats.usage) });
      }
      const sessions = await whoSessions(reader);
      const users = [...new Set(sessions.map((s) => s.user))].slice(0, 64);
      const latest = [...sessions].sort((a, b) => (b.started_at ?? '').localeCompare(a.started_at ?? ''))[0];
      return {
        boot_id: (bootId ?? '').trim(),
        uptime_s: uptimeS,
        last_reboot: bootTime(stat) ?? (uptimeS > 0 ? isoSeconds(nowMs - uptimeS * 1000) : null),
        metrics: {
          cpu_percent: cpuPct,
          memory_percent: total > 0 ? clampPercent(((total - available) / total) * 100) : 0,
          swap_percent: swapTotal > 0 ? clampPercent(((swapTotal - swapFree) / swapTotal) * 100) : 0,
          load_1m: l1 ?? 0,
          load_5m: l5 ?? 0,
          load_15m: l15 ?? 0,
          process_count: procEntries.filter((e) => /^\d+$/.test(e)).length,
        },
        disks,
        last_user: latest?.user ?? null,
        logged_in_users: users,
        internal_ip: internalIp(route),
      };
    },
  };
}

/** Boot time from /proc/stat `btime`: stable, unlike now − uptime. */
export function bootTime(stat: string | undefined): string | null {
  const match = /^btime\s+(\d+)/m.exec(stat ?? '');
  return match?.[1] ? isoSeconds(Number(match[1]) * 1000) : null;
}

export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
