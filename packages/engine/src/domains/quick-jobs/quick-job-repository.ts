// Every query on quick_jobs, activity_history (quick-job executions) and activity_output_chunks:
// the dispatch inserts in chunks of 1,000, delivery claims, the batched result and phase writes
// (data-model.md §4), sweeps, counts and reads.

import { sql } from 'kysely';
import { QUICK_JOB_COUNT_KEYS, TERMINAL_QUICK_JOB_STATUSES, countKeyOf, type QuickJobCounts, type QuickJobStatus } from '@borealis/protocol';
import type { DbExecutor } from '../audit/audit-log';
import type { ActivityHistoryTable, DeviceStatus, QuickJobsTable } from '../../db/schema';
import type { Insertable, Selectable } from 'kysely';

export const INSERT_CHUNK = 1_000;
const TERMINAL = sql.join(TERMINAL_QUICK_JOB_STATUSES.map((s) => sql.lit(s)));

export interface TargetDevice {
  readonly guid: string;
  readonly hostname: string;
  readonly site_id: number | null;
  readonly status: DeviceStatus;
  readonly platform: string | null;
}

export type ExecutionRow = Selectable<ActivityHistoryTable>;
export type QuickJobRow = Selectable<QuickJobsTable>;

/** What delivery needs of a claimed execution and its job. */
export interface DeliverableExecution {
  readonly id: string;
  readonly quick_job_id: string;
  readonly device_guid: string;
  readonly hostname: string;
  readonly site_id: number | null;
  readonly assembly_guid: string;
  readonly assembly_revision: number;
  readonly script_name: string;
  readonly expires_at: Date;
  readonly run_mode: string;
  readonly timeout_seconds: number;
  readonly variable_values: Record<string, unknown>;
  readonly source: string;
}

export interface ResultWrite {
  readonly id: string;
  readonly device_guid: string;
  readonly status: QuickJobStatus;
  readonly exit_code: number | null;
  readonly signal: string | null;
  readonly error_code: string | null;
  readonly error: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdout_truncated: boolean;
  readonly stderr_truncated: boolean;
  readonly stdout_total_bytes: number;
  readonly stderr_total_bytes: number;
  readonly accepted_at: string | null;
  readonly started_at: string | null;
  readonly finished_at: string;
  readonly duration_ms: number;
}

export interface ChangedExecution {
  readonly id: string;
  readonly quick_job_id: string | null;
  readonly device_guid: string;
  readonly hostname: string;
  readonly status: QuickJobStatus;
  readonly phase: string | null;
  readonly exit_code: number | null;
  readonly error_code: string | null;
  readonly finished_at: Date | null;
}

const CHANGED_COLUMNS = sql`id, quick_job_id, device_guid, hostname, status, phase, exit_code, error_code, finished_at`;

const DEVICE_COLUMNS = ['guid', 'hostname', 'site_id', 'status', 'platform'] as const;

export function emptyCounts(): QuickJobCounts {
  const counts = { total: 0 } as Record<string, number>;
  for (const k of QUICK_JOB_COUNT_KEYS) counts[k] = 0;
  return counts as QuickJobCounts;
}

export const quickJobRepository = {
  async devicesByGuids(db: DbExecutor, guids: readonly string[]): Promise<TargetDevice[]> {
    if (!guids.length) return [];
    return db.selectFrom('devices').select(DEVICE_COLUMNS).where('guid', 'in', guids.map((g) => g.toLowerCase())).execute();
  },

  async devicesByHostnames(db: DbExecutor, hostnames: readonly string[]): Promise<TargetDevice[]> {
    if (!hostnames.length) return [];
    return db
      .selectFrom('devices')
      .select(DEVICE_COLUMNS)
      .where(sql<string>`lower(hostname)`, 'in', hostnames.map((h) => h.toLowerCase()))
      .execute();
  },

  /** Devices of the given sites (null = every device); revoked and retired devices are never targets. */
  async devicesInSites(db: DbExecutor, siteIds: readonly number[] | null): Promise<TargetDevice[]> {
    let q = db.selectFrom('devices').select(DEVICE_COLUMNS).where('status', 'in', ['active', 'quarantined']);
    if (siteIds !== null) {
      if (!siteIds.length) return [];
      q = q.where('site_id', 'in', siteIds);
    }
    return q.execute();
  },

  async insertJob(db: DbExecutor, row: Insertable<QuickJobsTable>): Promise<void> {
    await db.insertInto('quick_jobs').values(row).execute();
  },

  /** Multi-row INSERTs of at most 1,000 rows (data-model.md §4). */
  async insertExecutions(db: DbExecutor, rows: ReadonlyArray<Insertable<ActivityHistoryTable>>): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) await db.insertInto('activity_history').values(rows.slice(i, i + INSERT_CHUNK)).execute();
  },

  /**
   * Locks and marks `dispatching` the ready Pending executions of many devices in one statement,
   * oldest first (data-model.md §6: the node holding the socket claims them, so a superseded
   * socket elsewhere cannot). A request with `ids` claims those executions of its device
   * (dispatch-time delivery, where expiry is not checked); the others up to `limit` ready rows
   * each. Returns every claimed row; callers group them by device.
   */
  async claimForDeliveryMany(
    db: DbExecutor,
    input: { requests: ReadonlyArray<{ deviceGuid: string; ids?: readonly string[] }>; now: Date; limit: number; redeliverBefore: Date },
  ): Promise<DeliverableExecution[]> {
    const byIds = input.requests.flatMap((r) => (r.ids ? r.ids.map((id) => ({ id, guid: r.deviceGuid })) : []));
    const byDevice = [...new Set(input.requests.filter((r) => !r.ids).map((r) => r.deviceGuid))];
    const ready = sql`status = 'Pending'
              AND cancel_requested_at IS NULL
              AND phase IS DISTINCT FROM 'waiting_for_previous'
              AND (dispatched_at IS NULL OR phase IS DISTINCT FROM 'dispatching' OR dispatched_at < ${input.redeliverBefore})`;
    const claim = async (pick: ReturnType<typeof sql>) => {
      const result = await sql<DeliverableExecution>`
      UPDATE activity_history AS a
         SET phase = 'dispatching', dispatched_at = ${input.now}, updated_at = ${input.now}
        FROM activity_history AS x
        LEFT JOIN quick_jobs AS j ON j.id = x.quick_job_id
        LEFT JOIN scheduled_job_runs AS r ON r.id = x.run_id
        LEFT JOIN scheduled_jobs AS s ON s.id = r.job_id
       WHERE x.id = a.id
         AND a.id IN (${pick})
      RETURNING a.id, COALESCE(a.quick_job_id::text, '') AS quick_job_id, a.device_guid, a.hostname, a.site_id, a.assembly_guid, a.assembly_revision, a.script_name,
                a.expires_at,
                COALESCE(j.run_mode, 'system') AS run_mode,
                COALESCE(j.timeout_seconds, (s.components -> a.component_index ->> 'timeout_seconds')::int, 3600) AS timeout_seconds,
                COALESCE(j.variable_values, s.components -> a.component_index -> 'variable_values', '{}'::jsonb) AS variable_values,
                COALESCE(j.source, 'schedule') AS source`.execute(db);
      return result.rows;
    };
    const rows: DeliverableExecution[] = [];
    if (byIds.length) {
      rows.push(
        ...(await claim(sql`
          SELECT h.id FROM activity_history AS h
            JOIN unnest(${byIds.map((b) => b.id)}::uuid[], ${byIds.map((b) => b.guid)}::uuid[]) AS v(id, guid) ON h.id = v.id AND h.device_guid = v.guid
           WHERE ${ready}
           FOR UPDATE OF h SKIP LOCKED`)),
      );
    }
    if (byDevice.length) {
      rows.push(
        ...(await claim(sql`
          SELECT c.id FROM unnest(${byDevice}::uuid[]) AS d(guid)
           CROSS JOIN LATERAL (
             SELECT id FROM activity_history
              WHERE device_guid = d.guid AND expires_at > ${input.now} AND ${ready}
              ORDER BY created_at, id
              LIMIT ${input.limit}
              FOR UPDATE SKIP LOCKED) AS c`)),
      );
    }
    return rows.sort((x, y) => (x.id < y.id ? -1 : 1));
  },

  /** Accepted by the agent (or progress seen): Running, many executions in one statement; returns the rows that changed. */
  async markAcceptedMany(db: DbExecutor, ids: readonly string[], now: Date): Promise<ChangedExecution[]> {
    if (!ids.length) return [];
    const result = await sql<ChangedExecution>`
      UPDATE activity_history
         SET status = 'Running', phase = COALESCE(NULLIF(phase, 'dispatching'), 'queued_on_agent'), accepted_at = COALESCE(accepted_at, ${now}), updated_at = ${now}
       WHERE id = ANY(${[...ids]}::uuid[]) AND status = 'Pending'
      RETURNING ${CHANGED_COLUMNS}`.execute(db);
    return [...result.rows];
  },

  async markRefused(db: DbExecutor, id: string, errorCode: string, now: Date): Promise<ChangedExecution | undefined> {
    const result = await sql<ChangedExecution>`
      UPDATE activity_history SET status = 'Failed', phase = NULL, error_code = ${errorCode}, finished_at = ${now}, updated_at = ${now}
       WHERE id = ${id} AND status = 'Pending'
      RETURNING ${CHANGED_COLUMNS}`.execute(db);
    return result.rows[0];
  },

  /** Nobody answered the delivery: back to waiting for the device (redelivered on reconnect/30 s). */
  async markUndelivered(db: DbExecutor, ids: readonly string[], now: Date): Promise<void> {
    if (!ids.length) return;
    await db
      .updateTable('activity_history')
      .set({ phase: 'waiting_for_device', updated_at: now })
      .where('id', 'in', ids)
      .where('status', '=', 'Pending')
      .where('phase', '=', 'dispatching')
      .execute();
  },

  /** Phase-only progress, batched: Pending rows become Running (any progress means accepted). */
  async applyPhases(db: DbExecutor, rows: ReadonlyArray<{ id: string; device_guid: string; phase: string; started_at: string | null }>, now: Date): Promise<ChangedExecution[]> {
    if (!rows.length) return [];
    const result = await sql<ChangedExecution>`
      UPDATE activity_history AS a
         SET phase = v.phase,
             status = 'Running',
             accepted_at = COALESCE(a.accepted_at, ${now}),
             started_at = COALESCE(a.started_at, v.started_at),
             updated_at = ${now}
        FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.device_guid)}::uuid[], ${rows.map((r) => r.phase)}::text[],
                    ${rows.map((r) => r.started_at)}::timestamptz[]) AS v(id, device_guid, phase, started_at)
       WHERE a.id = v.id AND a.device_guid = v.device_guid AND a.status IN ('Pending', 'Running')
         AND (a.status <> 'Running' OR a.phase IS DISTINCT FROM v.phase)
      RETURNING a.id, a.quick_job_id, a.device_guid, a.hostname, a.status, a.phase, a.exit_code, a.error_code, a.finished_at`.execute(db);
    return [...result.rows];
  },

  /**
   * One statement for a batch of results: only rows not yet terminal change (first terminal result
   * wins), except an Expired row whose agent shows it accepted before expiry (automation.md §2.2).
   */
  async applyResults(db: DbExecutor, rows: readonly ResultWrite[], now: Date): Promise<ChangedExecution[]> {
    if (!rows.length) return [];
    const col = <T>(f: (r: ResultWrite) => T) => rows.map(f);
    const result = await sql<ChangedExecution>`
      UPDATE activity_history AS a
         SET status = v.status, phase = NULL, exit_code = v.exit_code, signal = v.signal, error_code = v.error_code, error = v.error,
             stdout = v.stdout, stderr = v.stderr, stdout_truncated = v.stdout_truncated, stderr_truncated = v.stderr_truncated,
             stdout_total_bytes = v.stdout_total_bytes, stderr_total_bytes = v.stderr_total_bytes,
             accepted_at = COALESCE(a.accepted_at, v.accepted_at), started_at = COALESCE(v.started_at, a.started_at),
             finished_at = v.finished_at, duration_ms = v.duration_ms,
             cancel_confirmed = CASE WHEN a.cancel_requested_at IS NOT NULL THEN (v.status = 'Cancelled') ELSE a.cancel_confirmed END,
             updated_at = ${now}
        FROM unnest(
          ${col((r) => r.id)}::uuid[], ${col((r) => r.device_guid)}::uuid[], ${col((r) => r.status)}::text[], ${col((r) => r.exit_code)}::int[],
          ${col((r) => r.signal)}::text[], ${col((r) => r.error_code)}::text[], ${col((r) => r.error)}::text[],
          ${col((r) => r.stdout)}::text[], ${col((r) => r.stderr)}::text[], ${col((r) => r.stdout_truncated)}::boolean[], ${col((r) => r.stderr_truncated)}::boolean[],
          ${col((r) => r.stdout_total_bytes)}::bigint[], ${col((r) => r.stderr_total_bytes)}::bigint[], ${col((r) => r.accepted_at)}::timestamptz[],
          ${col((r) => r.started_at)}::timestamptz[], ${col((r) => r.finished_at)}::timestamptz[], ${col((r) => r.duration_ms)}::int[]
        ) AS v(id, device_guid, status, exit_code, signal, error_code, error, stdout, stderr, stdout_truncated, stderr_truncated,
               stdout_total_bytes, stderr_total_bytes, accepted_at, started_at, finished_at, duration_ms)
       WHERE a.id = v.id AND a.device_guid = v.device_guid
         AND (a.status NOT IN (${TERMINAL}) OR (a.status = 'Expired' AND v.accepted_at IS NOT NULL AND v.accepted_at < a.expires_at))
      RETURNING a.id, a.quick_job_id, a.device_guid, a.hostname, a.status, a.phase, a.exit_code, a.error_code, a.finished_at`.execute(db);
    return [...result.rows];
  },

  /** Which of these ids belong to the device at all (a duplicate result is acked, a foreign one is not). */
  async knownIds(db: DbExecutor, pairs: ReadonlyArray<{ id: string; device_guid: string }>): Promise<Set<string>> {
    if (!pairs.length) return new Set();
    const result = await sql<{ id: string }>`
      SELECT a.id FROM activity_history a
        JOIN unnest(${pairs.map((p) => p.id)}::uuid[], ${pairs.map((p) => p.device_guid)}::uuid[]) AS v(id, device_guid)
          ON a.id = v.id AND a.device_guid = v.device_guid`.execute(db);
    return new Set(result.rows.map((r) => r.id));
  },

  async deleteChunks(db: DbExecutor, activityIds: readonly string[]): Promise<void> {
    if (activityIds.length) await db.deleteFrom('activity_output_chunks').where('activity_id', 'in', activityIds).execute();
  },

  async insertChunks(db: DbExecutor, rows: ReadonlyArray<{ activity_id: string; seq: number; stream: 'stdout' | 'stderr'; chunk: string }>, now: Date): Promise<void> {
    if (!rows.length) return;
    await db
      .insertInto('activity_output_chunks')
      .values(rows.map((r) => ({ ...r, created_at: now })))
      .onConflict((oc) => oc.columns(['activity_id', 'seq']).doNothing())
      .execute();
  },

  async chunksOf(db: DbExecutor, activityId: string) {
    return db.selectFrom('activity_output_chunks').select(['seq', 'stream', 'chunk']).where('activity_id', '=', activityId).orderBy('seq').execute();
  },

  /** Pending rows past expiry (not while a delivery waits for its ack) → Expired. */
  async expire(db: DbExecutor, now: Date, inFlightSince: Date): Promise<ChangedExecution[]> {
    const result = await sql<ChangedExecution>`
      UPDATE activity_history
         SET status = 'Expired', error_code = CASE WHEN dispatched_at IS NULL THEN 'device_offline' ELSE 'not_delivered' END,
             phase = NULL, finished_at = ${now}, updated_at = ${now}
       WHERE status = 'Pending' AND expires_at <= ${now}
         AND (phase IS DISTINCT FROM 'dispatching' OR dispatched_at < ${inFlightSince})
      RETURNING ${CHANGED_COLUMNS}`.execute(db);
    return [...result.rows];
  },

  /** The Timed Out backstop: accepted, no result by accepted_at + timeout + grace. */
  async timeOut(db: DbExecutor, now: Date, graceSeconds: number): Promise<ChangedExecution[]> {
    const result = await sql<ChangedExecution>`
      UPDATE activity_history AS a
         SET status = 'Timed Out', error_code = 'timeout', phase = NULL, finished_at = ${now}, updated_at = ${now}
        FROM quick_jobs j
       WHERE j.id = a.quick_job_id AND a.status = 'Running' AND a.accepted_at IS NOT NULL
         AND a.accepted_at + make_interval(secs => j.timeout_seconds + ${graceSeconds}) <= ${now}
      RETURNING a.id, a.quick_job_id, a.device_guid, a.hostname, a.status, a.phase, a.exit_code, a.error_code, a.finished_at`.execute(db);
    return [...result.rows];
  },

  /** Cancels the agent never confirmed within the window. */
  async expireCancels(db: DbExecutor, now: Date, before: Date): Promise<ChangedExecution[]> {
    const result = await sql<ChangedExecution>`
      UPDATE activity_history
         SET status = 'Cancelled', cancel_confirmed = false, phase = NULL, finished_at = ${now}, updated_at = ${now}
       WHERE status = 'Running' AND cancel_requested_at IS NOT NULL AND cancel_requested_at <= ${before}
      RETURNING ${CHANGED_COLUMNS}`.execute(db);
    return [...result.rows];
  },

  async cancelPending(db: DbExecutor, quickJobId: string, jobIds: readonly string[] | undefined, siteIds: readonly number[] | null, now: Date): Promise<ChangedExecution[]> {
    const result = await sql<ChangedExecution>`
      UPDATE activity_history
         SET status = 'Cancelled', cancel_requested_at = ${now}, cancel_confirmed = true, phase = NULL, finished_at = ${now}, updated_at = ${now}
       WHERE quick_job_id = ${quickJobId} AND status = 'Pending'
         ${jobIds ? sql`AND id IN (${sql.join(jobIds.length ? jobIds : ['00000000-0000-0000-0000-000000000000'])})` : sql``}
         ${siteIds === null ? sql`` : sql`AND site_id IN (${sql.join(siteIds.length ? siteIds : [-1])})`}
      RETURNING ${CHANGED_COLUMNS}`.execute(db);
    return [...result.rows];
  },

  async dispatchingIds(db: DbExecutor, quickJobId: string): Promise<string[]> {
    const rows = await db.selectFrom('activity_history').select('id').where('quick_job_id', '=', quickJobId).where('status', '=', 'Pending').where('phase', '=', 'dispatching').execute();
    return rows.map((r) => r.id);
  },

  async requestCancelRunning(db: DbExecutor, quickJobId: string, jobIds: readonly string[] | undefined, siteIds: readonly number[] | null, now: Date): Promise<ChangedExecution[]> {
    const result = await sql<ChangedExecution>`
      UPDATE activity_history
         SET cancel_requested_at = COALESCE(cancel_requested_at, ${now}), updated_at = ${now}
       WHERE quick_job_id = ${quickJobId} AND status = 'Running'
         ${jobIds ? sql`AND id IN (${sql.join(jobIds.length ? jobIds : ['00000000-0000-0000-0000-000000000000'])})` : sql``}
         ${siteIds === null ? sql`` : sql`AND site_id IN (${sql.join(siteIds.length ? siteIds : [-1])})`}
      RETURNING ${CHANGED_COLUMNS}`.execute(db);
    return [...result.rows];
  },

  /** One GROUP BY per touched job; writes counts and finished_at (when nothing is open). */
  async recount(db: DbExecutor, quickJobIds: readonly string[], now: Date): Promise<Map<string, QuickJobCounts>> {
    const out = new Map<string, QuickJobCounts>();
    if (!quickJobIds.length) return out;
    const rows = await db
      .selectFrom('activity_history')
      .select(['quick_job_id', 'status', (eb) => eb.fn.countAll<string>().as('n')])
      .where('quick_job_id', 'in', quickJobIds)
      .groupBy(['quick_job_id', 'status'])
      .execute();
    for (const id of quickJobIds) out.set(id, emptyCounts());
    for (const r of rows) {
      const counts = out.get(r.quick_job_id!) as Record<string, number>;
      counts[countKeyOf(r.status)] = Number(r.n);
      counts.total = (counts.total ?? 0) + Number(r.n);
    }
    for (const [id, counts] of out) {
      const open = counts.pending + counts.running;
      await db
        .updateTable('quick_jobs')
        .set({ counts: JSON.stringify(counts), finished_at: open === 0 ? sql<Date>`COALESCE(finished_at, ${now})` : null })
        .where('id', '=', id)
        .execute();
    }
    return out;
  },

  async findJob(db: DbExecutor, id: string): Promise<QuickJobRow | undefined> {
    return db.selectFrom('quick_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async findExecution(db: DbExecutor, id: string): Promise<ExecutionRow | undefined> {
    return db.selectFrom('activity_history').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Open executions of locally connected devices that wait for (re)delivery. */
  async devicesWithDeliverable(db: DbExecutor, deviceGuids: readonly string[], now: Date, redeliverBefore: Date): Promise<string[]> {
    if (!deviceGuids.length) return [];
    const rows = await db
      .selectFrom('activity_history')
      .select('device_guid')
      .distinct()
      .where('device_guid', 'in', deviceGuids)
      .where('status', '=', 'Pending')
      .where('expires_at', '>', now)
      .where('cancel_requested_at', 'is', null)
      .where((eb) => eb.or([eb('phase', 'is distinct from', 'dispatching'), eb('dispatched_at', '<', redeliverBefore)]))
      .execute();
    return rows.map((r) => r.device_guid);
  },
};
