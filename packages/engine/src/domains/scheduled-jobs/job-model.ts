// Stored scheduled-job shapes (automation.md §3.1) and the status rules shared by materialization,
// sweeps and reads: terminal statuses, the rollup order and expiration parsing.

import type { Schedule, ScheduledJobTarget } from '@borealis/protocol';
import type { ExecutionStatus } from '../../db/schema';

export interface StoredComponent {
  readonly kind: string;
  readonly assembly_guid: string;
  readonly assembly_revision: number | null;
  readonly variable_values: Record<string, unknown>;
  readonly timeout_seconds: number | null;
}

export interface JobRow {
  readonly id: number;
  readonly name: string;
  readonly components: readonly StoredComponent[];
  readonly targets: readonly ScheduledJobTarget[];
  readonly schedule: Schedule;
  readonly expiration: string;
  readonly missed_run_policy: 'run_latest' | 'skip';
  readonly stop_on_failure: boolean;
  readonly enabled: boolean;
  readonly allowed_site_ids: readonly number[];
  readonly created_at: Date;
}

export const TERMINAL: ReadonlySet<string> = new Set(['Success', 'Warning', 'Failed', 'Expired', 'Timed Out', 'Skipped', 'Cancelled']);
export const FAILURE: ReadonlySet<string> = new Set(['Failed', 'Timed Out', 'Expired']);
const ROLLUP_ORDER = ['Failed', 'Timed Out', 'Expired', 'Cancelled', 'Warning', 'Success'] as const;

/** No expiry is stored as this far-future instant (the column is NOT NULL). */
export const NO_EXPIRY = new Date('9999-12-31T00:00:00.000Z');

/** `no_expire` → null; `<n>m|h|d` (bare number = minutes) → milliseconds. */
export function expirationMs(expiration: string): number | null {
  if (expiration === 'no_expire') return null;
  const m = /^(\d+)([mhd]?)$/.exec(expiration);
  if (!m) return null;
  const unit = m[2] === 'd' ? 86_400_000 : m[2] === 'h' ? 3_600_000 : 60_000;
  return Number(m[1]) * unit;
}

/**
 * §3.4 rollup: any non-terminal → Running (Pending if none accepted); else the first present of
 * Failed, Timed Out, Expired, Cancelled, Warning, Success; else Skipped.
 */
export function rollupStatus(statuses: readonly string[], hasAccepted: boolean): string {
  if (statuses.some((s) => !TERMINAL.has(s))) return hasAccepted || statuses.includes('Running') ? 'Running' : 'Pending';
  for (const s of ROLLUP_ORDER) if (statuses.includes(s)) return s;
  return 'Skipped';
}

export function countStatuses(statuses: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = { total: statuses.length };
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}

export type { ExecutionStatus };
