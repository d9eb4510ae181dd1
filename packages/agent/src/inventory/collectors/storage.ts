// `storage` (§4.4): real filesystems from /proc/self/mountinfo with statfs sizes and the disk type
// from /sys/block (rotational, virtual devices, network filesystems).
import { statfs } from 'node:fs/promises';
import type { HostReader } from '../host-reader';

const NETWORK_FS = new Set(['nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', 'sshfs', 'fuse.sshfs', 'glusterfs', 'ceph', '9p']);
const REAL_FS = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'zfs', 'vfat', 'exfat', 'ntfs', 'ntfs3', 'f2fs', 'jfs', 'reiserfs', 'hfsplus', 'fuseblk', 'bcachefs', 'overlay', ...NETWORK_FS]);

export interface MountEntry {
  readonly mountPoint: string;
  readonly device: string;
  readonly fsType: string;
}

function unescapeMount(value: string): string {
  return value.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

/** Real filesystems, one row per mount point; bind mounts of a device already listed are skipped. */
export function parseMountinfo(text: string | undefined): MountEntry[] {
  const seenMounts = new Set<string>();
  const seenRoots = new Set<string>();
  const rows: MountEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const fields = left.split(' ');
    const [fsType, source] = right.split(' ');
    const root = fields[3];
    const mountPoint = fields[4];
    if (!fsType || !source || !mountPoint || !REAL_FS.has(fsType)) continue;
    // Container and snap plumbing is not storage an operator cares about.
    if (mountPoint.startsWith('/snap/') || mountPoint.startsWith('/var/lib/docker/') || mountPoint.startsWith('/run/')) continue;
    const mp = unescapeMount(mountPoint);
    const key = `${source}|${root}`;
    if (seenMounts.has(mp) || (root !== '/' && seenRoots.has(key))) continue;
    seenMounts.add(mp);
    seenRoots.add(key);
    rows.push({ mountPoint: mp, device: unescapeMount(source), fsType });
  }
  return rows;
}

export async function listRealMounts(reader: HostReader): Promise<MountEntry[]> {
  return parseMountinfo(await reader.readText('/proc/self/mountinfo'));
}

export async function statMount(mountPoint: string): Promise<{ total: number; used: number; free: number; usage: number } | undefined> {
  try {
    const s = await statfs(mountPoint);
    const total = s.blocks * s.bsize;
    const free = s.bavail * s.bsize;
    const used = Math.max(0, total - s.bfree * s.bsize);
    // df's definition: used / (used + available), so reserved blocks do not hide a full disk.
    const usage = used + free > 0 ? (used / (used + free)) * 100 : 0;
    return { total, used, free, usage };
  } catch {
    return undefined;
  }
}

async function diskType(reader: HostReader, mount: MountEntry): Promise<'ssd' | 'hdd' | 'virtual' | 'network' | 'unknown'> {
  if (NETWORK_FS.has(mount.fsType)) return 'network';
  const name = /^\/dev\/(?:mapper\/)?([^/]+)$/.exec(mount.device)?.[1];
  if (!name) return mount.fsType === 'overlay' ? 'virtual' : 'unknown';
  const block = name.replace(/p?\d+$/, '');
  for (const candidate of [name, block]) {
    const rotational = await reader.readText(`/sys/block/${candidate}/queue/rotational`);
    if (rotational === undefined) continue;
    if (/^(vd|xvd)/.test(candidate)) return 'virtual';
    const vendor = ((await reader.readText(`/sys/block/${candidate}/device/vendor`)) ?? '').toLowerCase();
    if (/qemu|vmware|vbox|virtual|msft/.test(vendor)) return 'virtual';
    return rotational.trim() === '1' ? 'hdd' : 'ssd';
  }
  return 'unknown';
}

export interface StorageRow {
  drive: string;
  device: string;
  fs_type: string;
  disk_type: 'ssd' | 'hdd' | 'virtual' | 'network' | 'unknown';
  total: number;
  used: number;
  free: number;
  usage: number;
}

export async function collectStorage(reader: HostReader): Promise<StorageRow[]> {
  const rows: StorageRow[] = [];
  for (const mount of await listRealMounts(reader)) {
    const stats = await statMount(mount.mountPoint);
    if (!stats) continue;
    rows.push({
      drive: mount.mountPoint.slice(0, 4096),
      device: mount.device.slice(0, 4096),
      fs_type: mount.fsType.slice(0, 64),
      disk_type: await diskType(reader, mount),
      total: stats.total,
      used: stats.used,
      free: stats.free,
      usage: stats.usage,
    });
  }
  return rows;
}
