// Reads a scheduled_jobs row into its stored shape (JSON columns parsed by the driver).

import type { Schedule, ScheduledJobTarget } from '@borealis/protocol';
import type { Selectable } from 'kysely';
import type { ScheduledJobsTable } from '../../db/schema';
import type { JobRow, StoredComponent } from './job-model';

export function toJobRow(row: Selectable<ScheduledJobsTable>): JobRow {
  return {
    id: row.id,
    name: row.name,
    components: row.components as StoredComponent[],
    targets: row.targets as ScheduledJobTarget[],
    schedule: row.schedule as Schedule,
    expiration: row.expiration,
    missed_run_policy: row.missed_run_policy,
    stop_on_failure: row.stop_on_failure,
    enabled: row.enabled,
    allowed_site_ids: row.allowed_site_ids,
    created_at: row.created_at,
  };
}
