// `sessions` (§4.4) from loginctl, falling back to `who` (utmp) where logind is absent; also the
// logged-in users of the heartbeat.
import type { HostReader } from '../host-reader';
import { clip, parseKeyValues } from '../host-reader';

export interface SessionRow {
  user: string;
  tty: string | null;
  remote_host: string | null;
  type: 'tty' | 'x11' | 'wayland' | 'ssh';
  state: string;
  started_at: string | null;
}

/** Parses `who --ips`-less default output: `user tty YYYY-MM-DD HH:MM (host)`. */
export function parseWho(text: string | undefined): SessionRow[] {
  const rows: SessionRow[] = [];
  for (const line of (text ?? '').split('\n')) {
    const match = /^(\S+)\s+(\S+)\s+(\d{4}-\d{2}-\d{2} \d{2}:\d{2})(?:\s+\(([^)]*)\))?/.exec(line);
    if (!match?.[1] || !match[3]) continue;
    const when = new Date(`${match[3].replace(' ', 'T')}:00`);
    const host = match[4] && !/^:\d/.test(match[4]) ? match[4] : null;
    rows.push({
      user: match[1].slice(0, 255),
      tty: clip(match[2], 64),
      remote_host: clip(host),
      type: host ? 'ssh' : match[4]?.startsWith(':') ? 'x11' : 'tty',
      state: 'active',
      started_at: Number.isNaN(when.getTime()) ? null : when.toISOString().replace('.000Z', 'Z'),
    });
  }
  return rows;
}

export async function whoSessions(reader: HostReader): Promise<SessionRow[]> {
  return parseWho(await reader.run('who', [], 5000));
}

function sessionType(type: string | undefined, remote: boolean): SessionRow['type'] {
  if (remote) return 'ssh';
  if (type === 'x11' || type === 'wayland') return type;
  return 'tty';
}

export async function collectSessions(reader: HostReader): Promise<{ sessions: SessionRow[] }> {
  const list = await reader.run('loginctl', ['list-sessions', '--no-legend', '--no-pager'], 5000);
  if (list === undefined) return { sessions: await whoSessions(reader) };
  const sessions: SessionRow[] = [];
  for (const line of list.split('\n')) {
    const id = line.trim().split(/\s+/)[0];
    if (!id) continue;
    const props = parseKeyValues(
      await reader.run('loginctl', ['show-session', id, '-p', 'Name', '-p', 'TTY', '-p', 'RemoteHost', '-p', 'Type', '-p', 'State', '-p', 'Remote', '-p', 'Timestamp', '-p', 'Class'], 5000),
    );
    if (props.get('Class') === 'manager' || props.get('Class') === 'background') continue;
    const stamp = props.get('Timestamp');
    const started = stamp ? new Date(stamp.replace(/^\w{3} /, '')) : undefined;
    sessions.push({
      user: (props.get('Name') ?? 'unknown').slice(0, 255),
      tty: clip(props.get('TTY'), 64),
      remote_host: clip(props.get('RemoteHost')),
      type: sessionType(props.get('Type'), props.get('Remote') === 'yes'),
      state: (props.get('State') ?? 'unknown').slice(0, 64),
      started_at: started && !Number.isNaN(started.getTime()) ? started.toISOString().replace('.000Z', 'Z') : null,
    });
  }
  return { sessions };
}
