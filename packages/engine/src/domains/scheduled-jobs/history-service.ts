// Run history reads (automation.md §3.4): a job's occurrences newest first with their counts, and
// per-device runs with each component's result, keyset-paginated; clearing terminal history.

import type { Kysely } from 'kysely';
import type { DeviceRun, Occurrence } from '@borealis/protocol';
import type { Database } from '../../db/schema';
import type { ScopeUser } from '../../db/site-scope';
import { AppError } from '../../errors';
import type { ScheduledJobService } from './scheduled-job-service';

const DISPLAY: Record<string, string> = { 'Timed Out': 'Timed out', Pending: 'Pending', Running: 'Running' };

function cursorOf(id: string | undefined): string | null {
  if (id === undefined) return null;
  if (!/^\d{1,18}$/.test(id)) throw new AppError('validation_failed', 'Bad cursor', [{ path: 'cursor', message: 'is not a cursor from this list' }]);
  return id;
}

export function createHistoryService(deps: { db: Kysely<Database>; jobs: ScheduledJobService }) {
  const { db } = deps;
  return {
    async occurrences(user: ScopeUser, jobId: number, q: { cursor?: string; limit: number }): Promise<{ occurrences: Occurrence[]; next_cursor: string | null }> {
      await deps.jobs.get(user, jobId);
      const after = cursorOf(q.cursor);
      let query = db.selectFrom('scheduled_job_occurrences').selectAll().where('job_id', '=', jobId).orderBy('id', 'desc').limit(q.limit + 1);
      if (after) query = query.where('id', '<', after);
      const rows = await query.execute();
      const page = rows.slice(0, q.limit);
      return {
        occurrences: page.map((o) => ({
          id: o.id,
          job_id: o.job_id,
          scheduled_for: o.scheduled_for.toISOString(),
          trigger: o.trigger,
          missed_count: o.missed_count,
          status: o.status,
          skip_reason: o.skip_reason,
          counts: o.counts_json as Record<string, number>,
          started_at: o.started_at?.toISOString() ?? null,
          finished_at: o.finished_at?.toISOString() ?? null,
        })),
        next_cursor: rows.length > q.limit ? page[page.length - 1]!.id : null,
      };
    },

    async deviceRuns(user: ScopeUser, jobId: number, q: { occurrence_id?: string; status?: string; cursor?: string; limit: number }): Promise<{ runs: DeviceRun[]; next_cursor: string | null }> {
      await deps.jobs.get(user, jobId);
      const after = cursorOf(q.cursor);
      let query = db
        .selectFrom('scheduled_job_runs as r')
        .innerJoin('scheduled_job_occurrences as o', 'o.id', 'r.occurrence_id')
        .select(['r.id', 'r.occurrence_id', 'o.scheduled_for', 'r.device_guid', 'r.hostname', 'r.site_id', 'r.resolved_from', 'r.status', 'r.skip_reason', 'r.error', 'r.started_at', 'r.finished_at'])
        .where('r.job_id', '=', jobId)
        .orderBy('r.id', 'desc')
        .limit(q.limit + 1);
      if (q.occurrence_id) query = query.where('r.occurrence_id', '=', q.occurrence_id);
      if (q.status) query = query.where('r.status', '=', q.status);
      if (after) query = query.where('r.id', '<', after);
      const rows = await query.execute();
      const page = rows.slice(0, q.limit);
      const execs = page.length
        ? await db.selectFrom('activity_history').selectAll().where('run_id', 'in', page.map((r) => r.id)).orderBy('component_index').execute()
        : [];
      return {
        runs: page.map((r) => ({
          run_id: r.id,
          occurrence_id: r.occurrence_id,
          scheduled_for: r.scheduled_for.toISOString(),
          device_guid: r.device_guid,
          hostname: r.hostname,
          site_id: r.site_id,
          resolved_from: r.resolved_from,
          status: r.status,
          display_status_label: DISPLAY[r.status] ?? r.status,
          skip_reason: r.skip_reason,
          error: r.error,
          started_at: r.started_at?.toISOString() ?? null,
          finished_at: r.finished_at?.toISOString() ?? null,
          executions: execs
            .filter((e) => e.run_id === r.id)
            .map((e) => ({
              job_id: e.id,
              component_index: e.component_index ?? 0,
              assembly_guid: e.assembly_guid,
              script_name: e.script_name,
              status: e.status,
              phase: e.phase,
              skip_reason: e.skip_reason,
              error_code: e.error_code,
              exit_code: e.exit_code,
              started_at: e.started_at?.toISOString() ?? null,
              finished_at: e.finished_at?.toISOString() ?? null,
              duration_ms: e.duration_ms,
              stdout: e.stdout,
              stderr: e.stderr,
            })),
        })),
        next_cursor: rows.length > q.limit ? page[page.length - 1]!.id : null,
      };
    },

    /** Clears terminal history (never occurrences still running). */
    async clear(user: ScopeUser, jobId: number): Promise<{ deleted_occurrences: number }> {
      await deps.jobs.get(user, jobId);
      const result = await db.deleteFrom('scheduled_job_occurrences').where('job_id', '=', jobId).where('status', 'not in', ['Pending', 'Running']).executeTakeFirst();
      return { deleted_occurrences: Number(result.numDeletedRows) };
    },
  };
}
