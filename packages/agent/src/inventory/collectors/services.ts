// `services` (§4.4): systemd service units with their load/active/sub states and unit-file state.
import type { HostReader } from '../host-reader';

export interface ServiceRow {
  name: string;
  description: string;
  active_state: string;
  sub_state: string;
  unit_file_state: string;
  status: 'running' | 'stopped' | 'failed' | 'starting' | 'stopping';
  start_mode: 'auto' | 'manual' | 'disabled' | 'static';
}

export function serviceStatus(active: string): ServiceRow['status'] {
  switch (active) {
    case 'active':
    case 'reloading':
      return 'running';
    case 'failed':
      return 'failed';
    case 'activating':
      return 'starting';
    case 'deactivating':
      return 'stopping';
    default:
      return 'stopped';
  }
}

export function startMode(unitFileState: string): ServiceRow['start_mode'] {
  if (unitFileState === 'enabled' || unitFileState === 'enabled-runtime' || unitFileState === 'alias') return 'auto';
  if (unitFileState === 'disabled' || unitFileState === 'masked' || unitFileState === 'masked-runtime') return 'disabled';
  if (unitFileState === 'static' || unitFileState === 'generated' || unitFileState === 'transient' || unitFileState === 'indirect') return 'static';
  return 'manual';
}

/** `systemctl list-units --plain --no-legend`: UNIT LOAD ACTIVE SUB DESCRIPTION. */
export function parseServices(units: string | undefined, unitFiles: string | undefined): ServiceRow[] {
  const fileStates = new Map<string, string>();
  for (const line of (unitFiles ?? '').split('\n')) {
    const [unit, state] = line.trim().split(/\s+/);
    if (unit && state) fileStates.set(unit, state);
  }
  const rows: ServiceRow[] = [];
  for (const line of (units ?? '').split('\n')) {
    const match = /^\s*[●*]?\s*(\S+\.service)\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!match?.[1] || match[2] === 'not-found') continue;
    const unitFileState = fileStates.get(match[1]) ?? 'unknown';
    rows.push({
      name: match[1].slice(0, 512),
      description: (match[5] ?? '').trim().slice(0, 1024),
      active_state: (match[3] ?? '').slice(0, 64),
      sub_state: (match[4] ?? '').slice(0, 64),
      unit_file_state: unitFileState.slice(0, 64),
      status: serviceStatus(match[3] ?? ''),
      start_mode: startMode(unitFileState),
    });
  }
  return rows;
}

export async function collectServices(reader: HostReader): Promise<ServiceRow[]> {
  const [units, files] = await Promise.all([
    reader.run('systemctl', ['list-units', '--type=service', '--all', '--no-legend', '--no-pager', '--plain'], 20_000),
    reader.run('systemctl', ['list-unit-files', '--type=service', '--no-legend', '--no-pager'], 20_000),
  ]);
  return parseServices(units, files);
}
