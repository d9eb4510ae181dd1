// Reading the audit trail for GET /api/audit (security.md §9.3): filters and keyset paging in, the
// wire page out. Admin-only access is enforced centrally by the route's permission.

import type { AuditEvent, AuditEventList, AuditListQuery } from '@borealis/protocol';
import type { Kysely } from 'kysely';
import { decodeCursor } from '../../db/cursor';
import type { Database } from '../../db/schema';
import { ValidationError } from '../../errors';
import { AUDIT_KEYSET, createAuditRepository, type AuditEventRow } from './audit-repository';

export interface AuditService {
  list(query: AuditListQuery): Promise<AuditEventList>;
}

export function createAuditService(deps: { db: Kysely<Database> }): AuditService {
  const repo = createAuditRepository();
  return {
    async list(query) {
      const after = query.cursor === undefined ? undefined : decodeCursor(AUDIT_KEYSET, query.cursor);
      if (after === null) throw new ValidationError([{ path: 'query.cursor', message: 'is not a cursor this list issued; start again without it' }]);
      const page = await repo.list(
        deps.db,
        {
          from: query.from === undefined ? undefined : new Date(query.from),
          to: query.to === undefined ? undefined : new Date(query.to),
          actions: query.action,
          actorType: query.actor_type,
          actorId: query.actor_id,
          actorPrefix: query.actor,
          targetType: query.target_type,
          targetId: query.target_id,
          siteId: query.site_id,
          outcome: query.outcome,
          severity: query.severity,
        },
        { direction: query.sort === 'at' ? 'asc' : 'desc', after, limit: query.limit },
      );
      return { events: page.rows.map(toWire), next_cursor: page.nextCursor };
    },
  };
}

function toWire(row: AuditEventRow): AuditEvent {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    actor_type: row.actor_type,
    actor_id: row.actor_id,
    actor_name: row.actor_name,
    actor_ip: row.actor_ip,
    action: row.action,
    target_type: row.target_type,
    target_id: row.target_id,
    site_id: row.site_id,
    outcome: row.outcome,
    severity: row.severity,
    details: row.details,
    request_id: row.request_id,
  };
}
