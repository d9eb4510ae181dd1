// `software` (§4.4): installed packages from dpkg-query or rpm; the package databases are also
// watched so a change is reported within 60 s.
import type { HostReader } from '../host-reader';

export interface SoftwareRow {
  name: string;
  version: string;
  architecture: string;
  source: 'dpkg' | 'rpm';
  installed_at?: string | null;
}

export const PACKAGE_DATABASES = ['/var/lib/dpkg/status', '/var/lib/rpm/rpmdb.sqlite', '/var/lib/rpm/Packages'] as const;

export function parseDpkg(text: string | undefined): SoftwareRow[] {
  const rows: SoftwareRow[] = [];
  for (const line of (text ?? '').split('\n')) {
    const [name, version, architecture, status] = line.split('\t');
    if (!name || !status?.startsWith('ii')) continue;
    rows.push({ name: name.slice(0, 512), version: (version ?? '').slice(0, 255), architecture: (architecture ?? '').slice(0, 64), source: 'dpkg' });
  }
  return rows;
}

export function parseRpm(text: string | undefined): SoftwareRow[] {
  const rows: SoftwareRow[] = [];
  for (const line of (text ?? '').split('\n')) {
    const [name, version, architecture, installed] = line.split('\t');
    if (!name || name === 'gpg-pubkey') continue;
    const seconds = Number(installed);
    rows.push({
      name: name.slice(0, 512),
      version: (version ?? '').slice(0, 255),
      architecture: (architecture === '(none)' ? '' : (architecture ?? '')).slice(0, 64),
      source: 'rpm',
      ...(Number.isFinite(seconds) && seconds > 0 ? { installed_at: new Date(seconds * 1000).toISOString().replace('.000Z', 'Z') } : {}),
    });
  }
  return rows;
}

export async function collectSoftware(reader: HostReader): Promise<SoftwareRow[]> {
  const dpkg = await reader.run('dpkg-query', ['-W', '-f=${Package}\t${Version}\t${Architecture}\t${db:Status-Abbrev}\n'], 60_000);
  if (dpkg !== undefined) return parseDpkg(dpkg);
  return parseRpm(await reader.run('rpm', ['-qa', '--qf', '%{NAME}\t%{VERSION}-%{RELEASE}\t%{ARCH}\t%{INSTALLTIME}\n'], 60_000));
}
