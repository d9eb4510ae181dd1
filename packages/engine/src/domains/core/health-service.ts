// Engine health: the database answers, and how fast; what role and version this process runs.

import type { Health } from '@borealis/protocol';
import type { Clock } from '../../clock';
import type { EngineDatabase } from '../../db/database';
import type { EngineRole } from '@borealis/protocol';

export interface HealthService {
  check(): Promise<Health>;
}

export function createHealthService(deps: {
  database: EngineDatabase;
  clock: Clock;
  version: string;
  role: EngineRole;
  startedAt: Date;
  schemaVersion: () => string | null;
}): HealthService {
  return {
    async check() {
      const now = deps.clock.now();
      let database: Health['database'];
      try {
        const latency = await deps.database.ping();
        database = { status: 'ok', dialect: deps.database.dialect, latency_ms: Math.round(latency * 100) / 100, schema_version: deps.schemaVersion() };
      } catch {
        database = {
          status: 'unavailable',
          dialect: deps.database.dialect,
          latency_ms: null,
          schema_version: deps.schemaVersion(),
          message: 'The database does not answer',
        };
      }
      const failing = database.status === 'ok' ? [] : ['database'];
      return {
        status: failing.length ? 'unavailable' : 'ok',
        version: deps.version,
        role: deps.role,
        started_at: deps.startedAt.toISOString(),
        uptime_seconds: Math.max(0, Math.floor((now.getTime() - deps.startedAt.getTime()) / 1000)),
        database,
        failing,
      };
    },
  };
}
