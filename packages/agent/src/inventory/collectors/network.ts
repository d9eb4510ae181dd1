// `network` (§4.4): adapters from /sys/class/net with MAC, MTU, state and link speed, their
// addresses in CIDR form, and which one holds the default route.
import { networkInterfaces } from 'node:os';
import type { HostReader } from '../host-reader';
import { clip } from '../host-reader';
import { defaultRouteInterface } from './system-metrics';

export interface NetworkRow {
  adapter: string;
  mac: string | null;
  ips: string[];
  link_speed: number | null;
  mtu: number | null;
  state: string;
  default_route: boolean;
}

export async function collectNetwork(reader: HostReader): Promise<NetworkRow[]> {
  const defaultIface = defaultRouteInterface(await reader.readText('/proc/net/route'));
  const addresses = networkInterfaces();
  const rows: NetworkRow[] = [];
  for (const adapter of await reader.list('/sys/class/net')) {
    if (adapter === 'lo') continue;
    const read = (file: string) => reader.readText(`/sys/class/net/${adapter}/${file}`);
    const [mac, mtu, state, speed] = await Promise.all([read('address'), read('mtu'), read('operstate'), read('speed')]);
    const speedValue = Number(speed);
    rows.push({
      adapter: adapter.slice(0, 255),
      mac: clip(mac, 64),
      ips: (addresses[adapter] ?? []).map((a) => (a.cidr ?? `${a.address}`).slice(0, 64)).slice(0, 256),
      link_speed: Number.isInteger(speedValue) && speedValue > 0 ? speedValue : null,
      mtu: mtu && Number.isInteger(Number(mtu)) ? Number(mtu) : null,
      state: (state ?? 'unknown').trim().slice(0, 32) || 'unknown',
      default_route: adapter === defaultIface,
    });
  }
  return rows;
}
