// The audit filters as they live in the URL (`?action=auth.*&outcome=failure`), and the query string
// GET /api/audit takes for them. Times are ISO-8601 instants in both.
import type { AuditOutcome, AuditSeverity } from '@borealis/protocol';

export interface AuditFilters {
  readonly action: string;
  readonly outcome: AuditOutcome | '';
  readonly severity: AuditSeverity | '';
  readonly actor: string;
  readonly from: string;
  readonly to: string;
}

export const FILTER_KEYS = ['action', 'outcome', 'severity', 'actor', 'from', 'to'] as const;

export const OUTCOMES: readonly AuditOutcome[] = ['success', 'failure', 'denied'];
export const SEVERITIES: readonly AuditSeverity[] = ['info', 'warning', 'high'];

export const NO_FILTERS: AuditFilters = { action: '', outcome: '', severity: '', actor: '', from: '', to: '' };

export function filtersFromParams(params: URLSearchParams): AuditFilters {
  const text = (key: string) => params.get(key)?.trim() ?? '';
  return {
    action: text('action'),
    outcome: OUTCOMES.find((o) => o === text('outcome')) ?? '',
    severity: SEVERITIES.find((s) => s === text('severity')) ?? '',
    actor: text('actor'),
    from: text('from'),
    to: text('to'),
  };
}

/** Only the filters that are set, in a fixed order, so equal filters give equal URLs and cache keys. */
export function paramsFromFilters(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) if (filters[key] !== '') params.set(key, filters[key]);
  return params;
}

export function hasFilters(filters: AuditFilters): boolean {
  return FILTER_KEYS.some((key) => filters[key] !== '');
}
