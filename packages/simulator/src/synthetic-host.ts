// A deterministic synthetic Linux host per agent index (agent-protocol §11 "may be faked": inventory
// content): the same index always yields the same machine, and its slow drift is a function of the
// check number, so runs are repeatable and deltas happen at a realistic, configurable rate.

import { createHash } from 'node:crypto';
import type { InventoryDetails, InventorySectionName } from '@borealis/protocol/agent';

/** mulberry32: small, fast, seedable; good enough for synthetic data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}

const PACKAGE_POOL = Array.from({ length: 600 }, (_, i) => `pkg-${['lib', 'python3-', 'node-', 'x11-', 'fonts-', 'gir1.2-', 'perl-', ''][i % 8]}${i.toString(36)}`);
const OSES = [
  { id: 'debian', version: '12', pretty: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-28-amd64' },
  { id: 'ubuntu', version: '24.04', pretty: 'Ubuntu 24.04.1 LTS', kernel: '6.8.0-49-generic' },
  { id: 'ubuntu', version: '22.04', pretty: 'Ubuntu 22.04.5 LTS', kernel: '5.15.0-126-generic' },
  { id: 'rhel', version: '9.4', pretty: 'Red Hat Enterprise Linux 9.4 (Plow)', kernel: '5.14.0-427.el9.x86_64' },
];
const CPUS = [
  { name: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz', vendor: 'GenuineIntel', cores: 4, ghz: 2 },
  { name: 'AMD EPYC 7543 32-Core Processor', vendor: 'AuthenticAMD', cores: 8, ghz: 2.8 },
  { name: 'Intel(R) Core(TM) i7-1185G7 @ 3.00GHz', vendor: 'GenuineIntel', cores: 4, ghz: 3 },
];
const GIB = 2 ** 30;

export interface SyntheticHostOptions {
  /** Installed packages per host (realistic servers carry 400–1,500; the default keeps 10k hosts cheap). */
  readonly softwareCount: number;
  /** Chance per inventory check that a gauge-like section (storage) drifts enough to change its hash. */
  readonly driftRate: number;
}

export const DEFAULT_HOST_OPTIONS: SyntheticHostOptions = { softwareCount: 150, driftRate: 0.05 };

export interface SyntheticHost {
  readonly hostname: string;
  readonly internalIp: string;
  readonly bootId: string;
  readonly lastReboot: string;
  readonly machineIdSha256: string;
  /** Every M1 section as of inventory check `check` (0 = at start). */
  sections(check: number): InventoryDetails;
  /** Heartbeat gauges at time `t` (ms): smooth per-host curves plus noise. */
  metrics(t: number): { cpu: number; memory: number; swap: number; load: [number, number, number]; processes: number };
  readonly users: readonly string[];
}

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function syntheticHost(index: number, prefix: string, options: SyntheticHostOptions = DEFAULT_HOST_OPTIONS): SyntheticHost {
  const seed = seedOf(`${prefix}:${index}`);
  const r = seededRandom(seed);
  const hostname = `${prefix}-${String(index).padStart(6, '0')}`;
  const os = OSES[Math.floor(r() * OSES.length)]!;
  const cpu = CPUS[Math.floor(r() * CPUS.length)]!;
  const ramGiB = [4, 8, 16, 32][Math.floor(r() * 4)]!;
  const diskGiB = [40, 80, 120, 250, 500][Math.floor(r() * 5)]!;
  const internalIp = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
  const bootId = uuidFrom(r);
  const lastReboot = new Date(Date.UTC(2026, 10, 1) + Math.floor(r() * 20 * 86_400) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const users = r() < 0.7 ? ['root'] : ['root', `user${index % 97}`];
  const baseUsed = 0.2 + r() * 0.5;
  const mac = Array.from({ length: 6 }, (_, i) => (i === 0 ? 2 : Math.floor(r() * 256)).toString(16).padStart(2, '0')).join(':');
  const softwareStart = Math.floor(r() * PACKAGE_POOL.length);
  const cpuPhase = r() * Math.PI * 2;
  const cpuBase = 3 + r() * 30;
  const memBase = 20 + r() * 50;

  const sections = (check: number): InventoryDetails => {
    // Drift is decided per check from a seed of (host, check) so it is repeatable.
    let drifts = 0;
    let softwareEpoch = 0;
    for (let c = 1; c <= check; c += 1) {
      const cr = seededRandom(seed ^ Math.imul(c, 0x9e3779b1));
      if (cr() < options.driftRate) drifts += 1;
      if (cr() < options.driftRate / 5) softwareEpoch += 1;
    }
    const usedFraction = Math.min(0.97, baseUsed + drifts * 0.012);
    const total = diskGiB * GIB;
    const used = Math.round(total * usedFraction);
    const software = Array.from({ length: options.softwareCount }, (_, i) => {
      const name = PACKAGE_POOL[(softwareStart + i * 7) % PACKAGE_POOL.length]!;
      const bump = i % 50 === softwareEpoch % 50 ? softwareEpoch : 0;
      return { name: `${name}-${i}`, version: `1.${i % 13}.${(i * 3) % 17 + bump}`, architecture: i % 9 === 0 ? 'all' : 'amd64', source: os.id === 'rhel' ? ('rpm' as const) : ('dpkg' as const) };
    });
    return {
      summary: {
        hostname,
        fqdn: `${hostname}.corp.example`,
        domain: 'corp.example',
        operating_system: os.pretty,
        os: { id: os.id, version_id: os.version, kernel: os.kernel, arch: 'x86_64' },
        device_type: 'Virtual Machine',
        virtualization: 'kvm',
        manufacturer: 'QEMU',
        system_model: 'Standard PC (Q35 + ICH9, 2009)',
        serial_number: `SIM-${seed.toString(16)}`,
        bios_version: '1.16.3-debian-1.16.3-2',
        timezone: 'UTC',
        last_reboot: lastReboot,
        last_user: users.at(-1) ?? null,
        internal_ip: internalIp,
      },
      cpu: { name: cpu.name, vendor: cpu.vendor, sockets: 1, physical_cores: cpu.cores, logical_cores: cpu.cores * 2, base_clock_ghz: cpu.ghz, arch: 'x86_64' },
      memory: { total_bytes: ramGiB * GIB, swap_total_bytes: 2 * GIB, modules: [{ slot: 'DIMM 0', capacity: ramGiB * GIB, speed: null, type: 'RAM', serial: null }] },
      storage: [
        { drive: '/', device: '/dev/vda1', fs_type: 'ext4', disk_type: 'virtual', total, used, free: total - used, usage: Math.round(usedFraction * 100) },
        { drive: '/boot/efi', device: '/dev/vda15', fs_type: 'vfat', disk_type: 'virtual', total: 124 * 2 ** 20, used: 12 * 2 ** 20, free: 112 * 2 ** 20, usage: 10 },
      ],
      network: [
        { adapter: 'eth0', mac, ips: [`${internalIp}/16`], link_speed: 10_000, mtu: 1500, state: 'up', default_route: true },
        { adapter: 'lo', mac: null, ips: ['127.0.0.1/8', '::1/128'], link_speed: null, mtu: 65536, state: 'unknown', default_route: false },
      ],
      software,
    };
  };

  return {
    hostname,
    internalIp,
    bootId,
    lastReboot,
    machineIdSha256: createHash('sha256').update(`machine:${seed}`).digest('hex'),
    users,
    sections,
    metrics(t) {
      const wave = Math.sin(t / 600_000 + cpuPhase);
      const noise = Math.random() * 4;
      const cpuPercent = Math.min(100, Math.max(0, cpuBase + wave * 10 + noise));
      const load1 = Math.max(0, (cpuPercent / 100) * cpu.cores * 2);
      return {
        cpu: Math.round(cpuPercent * 10) / 10,
        memory: Math.round(Math.min(99, memBase + wave * 5) * 10) / 10,
        swap: 0,
        load: [Math.round(load1 * 100) / 100, Math.round(load1 * 90) / 100, Math.round(load1 * 80) / 100],
        processes: 120 + Math.floor(Math.abs(wave) * 40),
      };
    },
  };
}

export const CHECKED_SECTIONS: readonly InventorySectionName[] = ['summary', 'cpu', 'memory', 'storage', 'network', 'software'];
