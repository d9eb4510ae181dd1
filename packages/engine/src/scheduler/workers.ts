// Worker rows (automation.md §4.1, §4.5): schedulers `job-scheduler-<uuid>` and site workers
// `site-worker-<uuid>` register, heart-beat every 10 s, are marked lost after 180 s of silence and
// pruned 300 s after they stopped or were lost.

import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { DbExecutor } from '../domains/audit/audit-log';
import type { JobSchedulerWorkersTable } from '../db/schema';
import type { WorkLane } from './work-items';

export const HEARTBEAT_MS = 10_000;
export const LOST_AFTER_MS = 180_000;
export const PRUNE_AFTER_MS = 300_000;
/** A site worker counts as live while its heartbeat is younger than this. */
export const LIVE_WITHIN_MS = 30_000;

export interface WorkerIdentity {
  readonly workerGuid: string;
  readonly name: string;
  readonly kind: JobSchedulerWorkersTable['kind'];
  readonly siteId: number | null;
  readonly lanes: readonly WorkLane[];
  readonly launcher: JobSchedulerWorkersTable['launcher'];
  readonly concurrency: number;
}

export async function registerWorker(db: DbExecutor, w: WorkerIdentity, now: Date): Promise<void> {
  await db
    .insertInto('job_scheduler_workers')
    .values({
      worker_guid: w.workerGuid,
      name: w.name,
      kind: w.kind,
      site_id: w.siteId,
      lanes: [...w.lanes],
      status: 'starting',
      launcher: w.launcher,
      host: hostname(),
      pid: process.pid,
      concurrency: w.concurrency,
      started_at: now,
      last_heartbeat_at: now,
    })
    .onConflict((oc) => oc.column('worker_guid').doUpdateSet({ status: 'starting', last_heartbeat_at: now, stopped_at: null }))
    .execute();
}

export async function heartbeatWorker(db: DbExecutor, workerGuid: string, status: 'running' | 'idle', now: Date): Promise<void> {
  await db
    .updateTable('job_scheduler_workers')
    .set((eb) => ({ status, last_heartbeat_at: now, generation: sql<string>`${eb.ref('generation')} + 1` }))
    .where('worker_guid', '=', workerGuid)
    .execute();
}

export async function stopWorker(db: DbExecutor, workerGuid: string, now: Date): Promise<void> {
  await db.updateTable('job_scheduler_workers').set({ status: 'stopped', stopped_at: now }).where('worker_guid', '=', workerGuid).execute();
}

/** Silent workers become lost; long-gone rows are pruned. */
export async function sweepWorkers(db: DbExecutor, now: Date): Promise<number> {
  const lost = await db
    .updateTable('job_scheduler_workers')
    .set({ status: 'lost', stopped_at: now })
    .where('status', 'in', ['starting', 'running', 'idle'])
    .where('last_heartbeat_at', '<', new Date(now.getTime() - LOST_AFTER_MS))
    .executeTakeFirst();
  await db
    .deleteFrom('job_scheduler_workers')
    .where('status', 'in', ['stopped', 'lost'])
    .where('stopped_at', '<', new Date(now.getTime() - PRUNE_AFTER_MS))
    .execute();
  return Number(lost.numUpdatedRows);
}

/** Sites with queued or running scheduled work and no live site worker (site 0 excluded). */
export async function sitesNeedingWorkers(db: DbExecutor, now: Date): Promise<number[]> {
  const rows = await db
    .selectFrom('job_scheduler_work_items as w')
    .select('w.site_id')
    .distinct()
    .where('w.status', 'in', ['queued', 'running'])
    .where('w.lane', '=', 'scheduled_job')
    .where('w.site_id', '>', 0)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('job_scheduler_workers as k')
            .select('k.worker_guid')
            .whereRef('k.site_id', '=', 'w.site_id')
            .where('k.kind', '=', 'site_worker')
            .where('k.status', 'in', ['starting', 'running', 'idle'])
            .where('k.last_heartbeat_at', '>=', new Date(now.getTime() - LIVE_WITHIN_MS)),
        ),
      ),
    )
    .execute();
  return rows.map((r) => r.site_id);
}
