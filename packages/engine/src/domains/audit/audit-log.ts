// The append-only audit trail (security.md §9): one writer used by every domain. A change and its
// audit row share a transaction; attempts that change nothing are written on their own.

import type { Kysely, Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Clock } from '../../clock';
import type { AuditEventsTable, Database } from '../../db/schema';

export type DbExecutor = Kysely<Database> | Transaction<Database>;

/** Who is acting, and the request it came with. */
export interface Actor {
  readonly type: AuditEventsTable['actor_type'];
  readonly id: string | null;
  readonly name: string | null;
  readonly ip: string | null;
  readonly requestId: string | null;
}

export const SYSTEM_ACTOR: Actor = Object.freeze({ type: 'system', id: null, name: 'system', ip: null, requestId: null });

export interface AuditEvent {
  readonly action: string;
  readonly outcome?: AuditEventsTable['outcome'];
  readonly severity?: AuditEventsTable['severity'];
  readonly targetType?: string;
  readonly targetId?: string | number;
  readonly siteId?: number | null;
  readonly details?: Record<string, unknown>;
}

const MAX_DETAILS_BYTES = 8 * 1024;

export interface AuditLog {
  record(executor: DbExecutor, actor: Actor, event: AuditEvent): Promise<void>;
}

export function createAuditLog(deps: { clock: Clock }): AuditLog {
  return {
    async record(executor, actor, event) {
      let details = JSON.stringify(event.details ?? {});
      if (Buffer.byteLength(details) > MAX_DETAILS_BYTES) details = JSON.stringify({ truncated: true });
      await executor
        .insertInto('audit_events')
        .values({
          id: uuidv7(),
          at: deps.clock.now(),
          actor_type: actor.type,
          actor_id: actor.id,
          actor_name: actor.name,
          actor_ip: actor.ip,
          action: event.action,
          target_type: event.targetType ?? null,
          target_id: event.targetId === undefined ? null : String(event.targetId),
          site_id: event.siteId ?? null,
          outcome: event.outcome ?? 'success',
          severity: event.severity ?? 'info',
          details,
          request_id: actor.requestId,
        })
        .execute();
    },
  };
}
