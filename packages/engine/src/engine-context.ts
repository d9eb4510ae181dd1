// EngineContext: everything createEngine builds once and hands to registrars and loops.

import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from './clock';
import type { EngineConfig } from './config';
import type { EngineDatabase } from './db/database';
import type { Database } from './db/schema';
import type { HealthService } from './domains/core/health-service';
import type { Loggers } from './log/loggers';
import type { RealtimeServer } from './realtime/socket-server';
import type { RuntimePaths } from './runtime-paths';
import type { SecurityServices } from './services';
import type { AgentTrustInfo } from './agent-trust-info';
import type { AgentRuntime } from './domains/agent/agent-runtime';
import type { OperatorNamespace } from './realtime/operator-namespace';
import type { SignalBus } from './db/signal-bus';

export interface EngineContext {
  readonly config: EngineConfig;
  readonly clock: Clock;
  readonly paths: RuntimePaths;
  readonly loggers: Loggers;
  readonly log: Logger;
  readonly database: EngineDatabase;
  readonly db: Kysely<Database>;
  /** Socket.IO; null for roles that serve no HTTP (scheduler, site-worker). */
  readonly realtime: RealtimeServer | null;
  readonly version: string;
  readonly startedAt: Date;
  readonly services: {
    readonly health: HealthService;
  };
  /** Operator trust: present on the api roles only. */
  readonly security: SecurityServices | null;
  /** TLS facts for agent install commands; null when the engine serves plain HTTP. */
  readonly agentTrust: AgentTrustInfo | null;
  /** The device side (agent auth, /agent sockets, presence): present on the api roles only. */
  readonly agents?: AgentRuntime | null;
  /** The /operator namespace (room kinds for domains such as quick jobs): api roles only. */
  readonly operators?: OperatorNamespace | null;
  /** Cross-node signals (LISTEN/NOTIFY, or PGlite's in-process notifications): api roles only. */
  readonly signals?: SignalBus | null;
}
