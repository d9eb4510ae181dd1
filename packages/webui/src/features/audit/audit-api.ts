// GET /api/audit (security.md §9.3): one page of events for the filters, after `cursor`.
import { AuditEventListSchema } from '@borealis/protocol';
import { getJson, type RequestOptions } from '../../shared/api-client';
import { type AuditFilters, paramsFromFilters } from './audit-filters';

export const AUDIT_PAGE_SIZE = 50;

export function listAuditEvents(filters: AuditFilters, cursor: string | undefined, options?: RequestOptions) {
  const params = paramsFromFilters(filters);
  params.set('limit', String(AUDIT_PAGE_SIZE));
  if (cursor) params.set('cursor', cursor);
  return getJson(`/api/audit?${params.toString()}`, AuditEventListSchema, options);
}
