// The generated runtime layout under BOREALIS_HOME (ARCHITECTURE.md "Runtime layout").
// Directories are created on first use, so a role only creates what it uses.

import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineRole } from '@borealis/protocol';

export interface RuntimePaths {
  readonly home: string;
  /** Engine/Services/<service>: the service this role runs as. */
  readonly service: string;
  readonly logs: string;
  readonly secrets: string;
  readonly certificates: string;
  readonly cache: string;
  /** Embedded PGlite data (Engine/Services/postgres-db/state). */
  readonly pgliteState: string;
  readonly deploy: string;
}

export function serviceNameForRole(role: EngineRole, workerId?: string): string {
  switch (role) {
    case 'all':
    case 'api':
      return 'api-backend';
    case 'scheduler':
      return 'job-scheduler';
    case 'site-worker':
      return `site-worker-${workerId ?? 'local'}`;
  }
}

export function runtimePaths(home: string, role: EngineRole, workerId?: string): RuntimePaths {
  const service = join(home, 'Services', serviceNameForRole(role, workerId));
  const secrets = join(service, 'secrets');
  return Object.freeze({
    home,
    service,
    logs: join(service, 'logs'),
    secrets,
    certificates: join(secrets, 'Certificates'),
    cache: join(service, 'cache'),
    pgliteState: join(home, 'Services', 'postgres-db', 'state'),
    deploy: join(home, 'Deploy'),
  });
}

/** mkdir -p; secret directories are 0700 (security.md §11). */
export function ensureDir(path: string, options: { secret?: boolean } = {}): string {
  mkdirSync(path, { recursive: true, mode: options.secret ? 0o700 : 0o755 });
  if (options.secret) chmodSync(path, 0o700);
  return path;
}
