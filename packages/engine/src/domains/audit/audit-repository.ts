// Every read and delete on audit_events (writes go through audit-log.ts): the filtered keyset list
// behind GET /api/audit and the retention sweep's batched delete. There is no update path.

import { sql, type Selectable } from 'kysely';
import { keysetPage, toPage, type CursorPosition, type Keyset, type KeysetDirection } from '../../db/cursor';
import type { AuditEventsTable } from '../../db/schema';
import type { DbExecutor } from './audit-log';

/** Newest first by default; the (at DESC, id DESC) index serves both directions. */
export const AUDIT_KEYSET = Object.freeze<Keyset>({
  key: { column: 'audit_events.at', type: 'timestamptz' },
  id: { column: 'audit_events.id', type: 'uuid' },
});

export interface AuditFilter {
  /** Inclusive. */
  readonly from?: Date;
  /** Exclusive. */
  readonly to?: Date;
  /** Any one matches: exact names, or prefixes given as `auth.*`. */
  readonly actions?: readonly string[];
  readonly actorType?: AuditEventsTable['actor_type'];
  readonly actorId?: string;
  /** Start of the actor's name at the time, case-insensitive. */
  readonly actorPrefix?: string;
  readonly targetType?: string;
  readonly targetId?: string;
  readonly siteId?: number;
  readonly outcome?: AuditEventsTable['outcome'];
  readonly severity?: AuditEventsTable['severity'];
}

export interface AuditPageRequest {
  readonly direction: KeysetDirection;
  readonly after?: CursorPosition | undefined;
  readonly limit: number;
}

export type AuditEventRow = Selectable<AuditEventsTable>;

/** A LIKE pattern matching strings that start with `prefix` literally. */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function createAuditRepository() {
  return {
    async list(db: DbExecutor, filter: AuditFilter, page: AuditPageRequest): Promise<{ rows: AuditEventRow[]; nextCursor: string | null }> {
      let q = db.selectFrom('audit_events').selectAll('audit_events');
      if (filter.from) q = q.where('audit_events.at', '>=', filter.from);
      if (filter.to) q = q.where('audit_events.at', '<', filter.to);
      if (filter.actions?.length) {
        const actions = filter.actions;
        q = q.where((eb) =>
          eb.or(
            actions.map((a) =>
              a.endsWith('.*') ? eb('audit_events.action', 'like', sql<string>`${likePrefix(a.slice(0, -1))} ESCAPE '\\'`) : eb('audit_events.action', '=', a),
            ),
          ),
        );
      }
      if (filter.actorType) q = q.where('audit_events.actor_type', '=', filter.actorType);
      if (filter.actorId !== undefined) q = q.where('audit_events.actor_id', '=', filter.actorId);
      if (filter.actorPrefix !== undefined) {
        q = q.where(sql<string>`lower(audit_events.actor_name)`, 'like', sql<string>`${likePrefix(filter.actorPrefix.toLowerCase())} ESCAPE '\\'`);
      }
      if (filter.targetType !== undefined) q = q.where('audit_events.target_type', '=', filter.targetType);
      if (filter.targetId !== undefined) q = q.where('audit_events.target_id', '=', filter.targetId);
      if (filter.siteId !== undefined) q = q.where('audit_events.site_id', '=', filter.siteId);
      if (filter.outcome) q = q.where('audit_events.outcome', '=', filter.outcome);
      if (filter.severity) q = q.where('audit_events.severity', '=', filter.severity);
      const rows = await keysetPage(q, AUDIT_KEYSET, page).execute();
      return toPage(rows, page.limit);
    },

    /** Deletes up to `batchSize` of the oldest rows written before `cutoff`; returns how many. */
    async deleteBatchOlderThan(db: DbExecutor, cutoff: Date, batchSize: number): Promise<number> {
      const result = await db
        .deleteFrom('audit_events')
        .where('id', 'in', (eb) => eb.selectFrom('audit_events').select('id').where('at', '<', cutoff).orderBy('at').limit(batchSize))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
