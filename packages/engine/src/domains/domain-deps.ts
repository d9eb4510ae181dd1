// The dependencies operator-facing domains draw on, picked from the context in groups.ts.

import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { AegisService } from './aegis/aegis-service';
import type { AuditLog } from './audit/audit-log';
import type { PasswordHasher } from './auth/factors/password-hasher';
import type { SessionService } from './auth/sessions/session-service';
import type { HostSecret } from '../secrets/host-secret';

export interface DomainDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly aegis: AegisService;
  readonly audit: AuditLog;
  readonly hasher: PasswordHasher;
  readonly sessions: SessionService;
  readonly hostSecret: HostSecret;
  readonly publicUrl: string | undefined;
  /** The one-line agent install command for an enrolment code (approvals/install-command.ts). */
  readonly installCommand?: (code: string) => string;
}
