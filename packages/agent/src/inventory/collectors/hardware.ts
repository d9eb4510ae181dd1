// `summary`, `cpu` and `memory` (§4.4): os-release, uname, /sys/class/dmi/id, systemd-detect-virt,
// /proc/cpuinfo, /proc/meminfo and dmidecode when present (root only).
import { arch, hostname, release } from 'node:os';
import type { HostReader } from '../host-reader';
import { clip, parseKeyValues } from '../host-reader';
import { bootTime, internalIp, parseMeminfo } from './system-metrics';
import { whoSessions } from './sessions';

export async function collectSummary(reader: HostReader) {
  const osRelease = parseKeyValues((await reader.readText('/etc/os-release')) ?? (await reader.readText('/usr/lib/os-release')));
  const dmi = async (file: string) => clip(await reader.readText(`/sys/class/dmi/id/${file}`));
  const virt = clip(await reader.run('systemd-detect-virt', [], 5000), 64);
  const container = clip(await reader.run('systemd-detect-virt', ['--container'], 5000), 64);
  const isContainer = (container !== null && container !== 'none') || (await reader.readText('/.dockerenv')) !== undefined;
  const chassis = Number(await dmi('chassis_type'));
  const fqdnRaw = clip(await reader.run('hostname', ['-f'], 5000), 253) ?? hostname();
  const fqdn = fqdnRaw.includes('.') ? fqdnRaw : null;
  const sessions = await whoSessions(reader);
  const latest = [...sessions].sort((a, b) => (b.started_at ?? '').localeCompare(a.started_at ?? ''))[0];
  return {
    hostname: (hostname().split('.')[0] ?? hostname()).slice(0, 253),
    fqdn,
    domain: fqdn ? fqdn.slice(fqdn.indexOf('.') + 1) : null,
    operating_system: clip(osRelease.get('PRETTY_NAME')),
    os: { id: clip(osRelease.get('ID'), 64), version_id: clip(osRelease.get('VERSION_ID'), 64), kernel: clip(release(), 128), arch: clip(arch() === 'x64' ? 'x86_64' : arch() === 'arm64' ? 'aarch64' : arch(), 32) },
    device_type: isContainer ? ('Container' as const) : virt !== null && virt !== 'none' ? ('Virtual Machine' as const) : [8, 9, 10, 14, 3, 4, 6, 7, 13, 30, 31, 32].includes(chassis) ? ('Workstation' as const) : ('Server' as const),
    virtualization: isContainer ? container : virt === 'none' ? null : virt,
    manufacturer: await dmi('sys_vendor'),
    system_model: await dmi('product_name'),
    serial_number: await dmi('product_serial'),
    bios_version: await dmi('bios_version'),
    timezone: clip((await reader.readText('/etc/timezone')) ?? Intl.DateTimeFormat().resolvedOptions().timeZone, 64),
    last_reboot: bootTime(await reader.readText('/proc/stat')),
    last_user: latest?.user ?? null,
    internal_ip: internalIp(await reader.readText('/proc/net/route')),
  };
}

export async function collectCpu(reader: HostReader) {
  const text = (await reader.readText('/proc/cpuinfo')) ?? '';
  const blocks = text.split(/\n\n+/).map((b) => parseCpuBlock(b)).filter((b) => b.size > 0);
  const first = blocks[0] ?? new Map<string, string>();
  const packages = new Set(blocks.map((b) => b.get('physical id') ?? '0'));
  const cores = new Set(blocks.map((b) => `${b.get('physical id') ?? '0'}:${b.get('core id') ?? b.get('processor')}`));
  const name = first.get('model name') ?? first.get('Model') ?? first.get('Hardware') ?? null;
  const base = await reader.readText('/sys/devices/system/cpu/cpu0/cpufreq/base_frequency');
  const max = await reader.readText('/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq');
  const fromName = name ? /@\s*([\d.]+)\s*GHz/i.exec(name)?.[1] : undefined;
  const khz = Number(base ?? max);
  const ghz = fromName ? Number(fromName) : Number.isFinite(khz) && khz > 0 ? khz / 1e6 : Number(first.get('cpu MHz')) / 1000 || null;
  return {
    name: clip(name),
    vendor: clip(first.get('vendor_id') ?? first.get('CPU implementer') ?? null),
    sockets: blocks.length > 0 ? packages.size : null,
    physical_cores: blocks.length > 0 ? cores.size : null,
    logical_cores: blocks.length || null,
    base_clock_ghz: ghz === null ? null : Math.round(ghz * 100) / 100,
    arch: clip(arch() === 'x64' ? 'x86_64' : arch() === 'arm64' ? 'aarch64' : arch(), 32),
  };
}

function parseCpuBlock(block: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of block.split('\n')) {
    const idx = line.indexOf(':');
    if (idx > 0) map.set(line.slice(0, idx).trim(), line.slice(idx + 1).trim());
  }
  return map;
}

export interface MemoryModule {
  slot: string | null;
  capacity: number | null;
  speed: number | null;
  type: string | null;
  serial: string | null;
}

/** `dmidecode -t 17` blocks with a size (empty slots are left out). */
export function parseDmidecodeMemory(text: string | undefined): MemoryModule[] {
  const modules: MemoryModule[] = [];
  for (const block of (text ?? '').split(/\n\n+/)) {
    if (!block.includes('Memory Device')) continue;
    const fields = parseCpuBlock(block);
    const size = /^(\d+)\s*(MB|GB|TB)/i.exec(fields.get('Size') ?? '');
    if (!size?.[1] || !size[2]) continue;
    const unit = size[2].toUpperCase() === 'TB' ? 2 ** 40 : size[2].toUpperCase() === 'GB' ? 2 ** 30 : 2 ** 20;
    const speed = Number.parseInt(fields.get('Configured Memory Speed') ?? fields.get('Speed') ?? '', 10);
    modules.push({
      slot: clip(fields.get('Locator') ?? null),
      capacity: Number(size[1]) * unit,
      speed: Number.isFinite(speed) ? speed : null,
      type: clip(fields.get('Type') ?? null, 64),
      serial: clip(fields.get('Serial Number') ?? null),
    });
  }
  return modules.slice(0, 256);
}

export async function collectMemory(reader: HostReader) {
  const mem = parseMeminfo(await reader.readText('/proc/meminfo'));
  const dmidecode = process.getuid?.() === 0 ? await reader.run('dmidecode', ['-t', '17'], 10_000) : undefined;
  return { total_bytes: mem.get('MemTotal') ?? 0, swap_total_bytes: mem.get('SwapTotal') ?? 0, modules: parseDmidecodeMemory(dmidecode) };
}
