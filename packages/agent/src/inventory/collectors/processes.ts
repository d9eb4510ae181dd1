// `processes` (§4.4): processes grouped by name, top 100 by CPU. CPU % is the share of one CPU
// used since the process started (utime+stime over its age), memory the summed RSS.
import type { HostReader } from '../host-reader';

export interface ProcessRow {
  name: string;
  count: number;
  cpu_percent: number;
  memory_bytes: number;
}

const CLOCK_TICKS = 100; // USER_HZ on every Linux ABI we run on
const PAGE_SIZE = 4096;

/** Fields of /proc/<pid>/stat after the `(comm)`, which may itself contain spaces and parentheses. */
export function parseProcStat(text: string): { name: string; ticks: number; startTicks: number; rssPages: number } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state): utime=14, stime=15, starttime=22, rss=24 → indexes 11, 12, 19, 21.
  return {
    name: text.slice(open + 1, close),
    ticks: Number(rest[11]) + Number(rest[12]),
    startTicks: Number(rest[19]),
    rssPages: Number(rest[21]),
  };
}

export async function collectProcesses(reader: HostReader): Promise<{ processes: ProcessRow[] }> {
  const uptimeS = Number(((await reader.readText('/proc/uptime')) ?? '0').split(' ')[0]) || 0;
  const groups = new Map<string, ProcessRow>();
  for (const pid of (await reader.list('/proc')).filter((e) => /^\d+$/.test(e))) {
    const text = await reader.readText(`/proc/${pid}/stat`);
    const stat = text ? parseProcStat(text) : undefined;
    if (!stat) continue;
    const ageS = uptimeS - stat.startTicks / CLOCK_TICKS;
    const cpu = ageS > 0 ? (stat.ticks / CLOCK_TICKS / ageS) * 100 : 0;
    const row = groups.get(stat.name) ?? { name: stat.name.slice(0, 512), count: 0, cpu_percent: 0, memory_bytes: 0 };
    row.count += 1;
    row.cpu_percent += cpu;
    row.memory_bytes += Math.max(0, stat.rssPages) * PAGE_SIZE;
    groups.set(stat.name, row);
  }
  const processes = [...groups.values()].sort((a, b) => b.cpu_percent - a.cpu_percent || b.memory_bytes - a.memory_bytes).slice(0, 100);
  return { processes };
}
