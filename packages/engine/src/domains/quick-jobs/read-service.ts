// Quick-job reads (automation.md §2.5, routes.tsv `quick-jobs`): jobs and their targets in scope,
// cursor paginated, and upstream's device activity routes. Out-of-scope objects look absent.

import { sql, type Kysely } from 'kysely';
import type { ActivityDetail, QuickJob, QuickJobCounts, QuickJobStatus, QuickJobTarget } from '@borealis/protocol';
import { decodeCursor, keysetPage, toPage, type Keyset } from '../../db/cursor';
import type { Database } from '../../db/schema';
import { inSites, loadSiteScope, type ScopeUser } from '../../db/site-scope';
import { AppError, NotFoundError } from '../../errors';
import { emptyCounts, quickJobRepository as repo, type ExecutionRow, type QuickJobRow } from './quick-job-repository';

const JOB_KEYSET: Keyset = { key: { column: 'quick_jobs.created_at', type: 'timestamptz' }, id: { column: 'quick_jobs.id', type: 'uuid' } };
const TARGET_KEYSET: Keyset = { key: { column: 'activity_history.hostname', type: 'text' }, id: { column: 'activity_history.id', type: 'uuid' } };
const ACTIVITY_KEYSET: Keyset = { key: { column: 'activity_history.created_at', type: 'timestamptz' }, id: { column: 'activity_history.id', type: 'uuid' } };
const EXCERPT_CHARS = 1_000;
const TERMINAL: readonly QuickJobStatus[] = ['Success', 'Warning', 'Failed', 'Expired', 'Timed Out', 'Skipped', 'Cancelled'];

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const num = (v: string | null) => (v === null ? null : Number(v));

function cursorOf(keyset: Keyset, cursor: string | undefined) {
  if (cursor === undefined) return undefined;
  const position = decodeCursor(keyset, cursor);
  if (!position) throw new AppError('validation_failed', 'cursor: not a cursor of this list', [{ path: 'cursor', message: 'invalid cursor' }]);
  return position;
}

export function jobView(row: QuickJobRow): QuickJob {
  return {
    quick_job_id: row.id,
    source: row.source,
    created_by_name: row.created_by_name,
    assembly_guid: row.assembly_guid,
    assembly_revision: row.assembly_revision,
    script_name: row.script_name,
    run_mode: row.run_mode,
    timeout_seconds: row.timeout_seconds,
    expires_at: iso(row.expires_at)!,
    target_count: row.target_count,
    counts: { ...emptyCounts(), ...(row.counts as Partial<QuickJobCounts>) },
    created_at: iso(row.created_at)!,
    finished_at: iso(row.finished_at),
  };
}

function targetView(r: Omit<ExecutionRow, 'cursor_key' | 'cursor_id'>): QuickJobTarget {
  return {
    job_id: r.id,
    device_guid: r.device_guid.toUpperCase(),
    hostname: r.hostname,
    site_id: r.site_id,
    status: r.status,
    phase: r.phase,
    skip_reason: r.skip_reason,
    error_code: r.error_code,
    error: r.error,
    exit_code: r.exit_code,
    signal: r.signal,
    stdout_excerpt: r.stdout === null ? null : r.stdout.slice(-EXCERPT_CHARS),
    stderr_excerpt: r.stderr === null ? null : r.stderr.slice(-EXCERPT_CHARS),
    stdout_truncated: r.stdout_truncated,
    stderr_truncated: r.stderr_truncated,
    dispatched_at: iso(r.dispatched_at),
    accepted_at: iso(r.accepted_at),
    started_at: iso(r.started_at),
    finished_at: iso(r.finished_at),
    duration_ms: r.duration_ms,
    cancel_confirmed: r.cancel_confirmed,
  };
}

function activityView(r: ExecutionRow) {
  const { stdout_excerpt: _o, stderr_excerpt: _e, ...base } = targetView(r);
  return {
    ...base,
    id: r.id,
    quick_job_id: r.quick_job_id,
    activity_kind: r.activity_kind,
    script_name: r.script_name,
    assembly_guid: r.assembly_guid,
    assembly_revision: r.assembly_revision,
    ran_at: iso(r.started_at ?? r.created_at)!,
    has_stdout: Boolean(r.stdout),
    has_stderr: Boolean(r.stderr),
  };
}

export function createReadService(deps: { db: Kysely<Database> }) {
  const db = deps.db;
  const scopeOf = (user: ScopeUser) => loadSiteScope(db, user).then((s) => s.siteIds);

  /** The job when the caller sees it: admins all, others when it touches one of their sites. */
  const visibleJob = async (user: ScopeUser, id: string): Promise<{ row: QuickJobRow; siteIds: readonly number[] | null }> => {
    const siteIds = await scopeOf(user);
    const row = await repo.findJob(db, id);
    if (!row || (siteIds !== null && !row.site_ids.some((s) => siteIds.includes(s)))) throw new NotFoundError('No such quick job');
    return { row, siteIds };
  };

  return {
    visibleJob,

    async list(user: ScopeUser, query: { cursor?: string; limit: number }) {
      const siteIds = await scopeOf(user);
      let q = db.selectFrom('quick_jobs').selectAll('quick_jobs');
      if (siteIds !== null) q = q.where(sql<boolean>`quick_jobs.site_ids && ${sql`ARRAY[${sql.join(siteIds.length ? siteIds : [-1])}]::int[]`}`);
      const rows = await keysetPage(q, JOB_KEYSET, { direction: 'desc', after: cursorOf(JOB_KEYSET, query.cursor), limit: query.limit }).execute();
      const page = toPage(rows, query.limit);
      return { quick_jobs: page.rows.map((r) => jobView(r as QuickJobRow)), next_cursor: page.nextCursor };
    },

    async get(user: ScopeUser, id: string) {
      return jobView((await visibleJob(user, id)).row);
    },

    async targets(user: ScopeUser, id: string, query: { status?: QuickJobStatus; cursor?: string; limit: number }) {
      const { siteIds } = await visibleJob(user, id);
      let q = db.selectFrom('activity_history').selectAll('activity_history').where('quick_job_id', '=', id).where((eb) => (siteIds === null ? eb.lit(true) : inSites(eb, 'site_id', siteIds)));
      if (query.status) q = q.where('status', '=', query.status);
      const rows = await keysetPage(q, TARGET_KEYSET, { direction: 'asc', after: cursorOf(TARGET_KEYSET, query.cursor), limit: query.limit }).execute();
      const page = toPage(rows, query.limit);
      return { targets: page.rows.map((r) => targetView(r as ExecutionRow)), next_cursor: page.nextCursor };
    },

    async deviceActivity(user: ScopeUser, hostname: string, query: { cursor?: string; limit: number }) {
      const siteIds = await scopeOf(user);
      const q = db
        .selectFrom('activity_history')
        .selectAll('activity_history')
        .where(sql<string>`lower(hostname)`, '=', hostname.toLowerCase())
        .where((eb) => inSites(eb, 'site_id', siteIds));
      const rows = await keysetPage(q, ACTIVITY_KEYSET, { direction: 'desc', after: cursorOf(ACTIVITY_KEYSET, query.cursor), limit: query.limit }).execute();
      const page = toPage(rows, query.limit);
      return { history: page.rows.map((r) => activityView(r as ExecutionRow)), next_cursor: page.nextCursor };
    },

    async activity(user: ScopeUser, jobId: string): Promise<ActivityDetail> {
      const siteIds = await scopeOf(user);
      const row = await repo.findExecution(db, jobId);
      if (!row || (siteIds !== null && (row.site_id === null || !siteIds.includes(row.site_id)))) throw new NotFoundError('No such job');
      const live = TERMINAL.includes(row.status) ? [] : await repo.chunksOf(db, row.id);
      return {
        ...activityView(row),
        stdout: row.stdout,
        stderr: row.stderr,
        stdout_total_bytes: num(row.stdout_total_bytes),
        stderr_total_bytes: num(row.stderr_total_bytes),
        live_output: live,
      };
    },

    /** Clears a device's finished history (open executions stay). */
    async clearDeviceActivity(user: ScopeUser, hostname: string): Promise<{ deleted: number; jobIds: string[]; rows: Array<{ id: string; device_guid: string; hostname: string; status: QuickJobStatus }> }> {
      const siteIds = await scopeOf(user);
      const rows = await db
        .deleteFrom('activity_history')
        .where(sql<string>`lower(hostname)`, '=', hostname.toLowerCase())
        .where('status', 'in', TERMINAL)
        .where((eb) => inSites(eb, 'site_id', siteIds))
        .returning(['id', 'quick_job_id', 'device_guid', 'hostname', 'status'])
        .execute();
      return { deleted: rows.length, rows, jobIds: [...new Set(rows.map((r) => r.quick_job_id).filter((j): j is string => j !== null))] };
    },
  };
}

export type ReadService = ReturnType<typeof createReadService>;
