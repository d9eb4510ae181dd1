// Operator realtime for quick jobs (automation.md §2.4, api.md "Browser realtime"): target changes
// and live output to room job:<quick_job_id>, device_activity_changed to device:<GUID>, and job
// counts recomputed at most every 500 ms with one quick_job_summary per recount (≤2/s).

import type { Namespace } from 'socket.io';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DeviceActivityChanged, QuickJobOutputEvent, QuickJobStatus, QuickJobSummary, QuickJobTargetChanged } from '@borealis/protocol';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { quickJobRepository as repo, type ChangedExecution } from './quick-job-repository';

export const RECOUNT_MS = 500;

export interface JobEvents {
  targetsChanged(rows: readonly ChangedExecution[], change: 'created' | 'updated'): void;
  output(event: QuickJobOutputEvent): void;
  /** Marks a job for the next recount (rows removed). */
  touch(quickJobId: string): void;
  /** History rows cleared by an operator. */
  activityDeleted(rows: ReadonlyArray<{ id: string; device_guid: string; hostname: string; status: QuickJobStatus }>): void;
  /** Recount touched jobs now (normally every 500 ms). */
  recount(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export const jobRoom = (quickJobId: string) => `job:${quickJobId}`;

export function createJobEvents(deps: { db: Kysely<Database>; clock: Clock; log: Logger; operators: Namespace | null; recountMs?: number }): JobEvents {
  const touched = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const recountNow = async () => {
    if (!touched.size) return;
    const ids = [...touched];
    touched.clear();
    try {
      const counts = await repo.recount(deps.db, ids, deps.clock.now());
      for (const [id, c] of counts) deps.operators?.to(jobRoom(id)).emit('quick_job_summary', { quick_job_id: id, counts: c } satisfies QuickJobSummary);
    } catch (err) {
      for (const id of ids) touched.add(id);
      deps.log.warn({ err }, 'quick job recount failed; retried');
    }
  };
  const recount = () => (running = running.then(recountNow, recountNow));

  return {
    targetsChanged(rows, change) {
      for (const r of rows) {
        const guid = r.device_guid.toUpperCase();
        if (r.quick_job_id) {
          touched.add(r.quick_job_id);
          const event: QuickJobTargetChanged = {
            quick_job_id: r.quick_job_id,
            job_id: r.id,
            guid,
            status: r.status,
            phase: r.phase,
            exit_code: r.exit_code,
            error_code: r.error_code,
            finished_at: r.finished_at ? new Date(r.finished_at).toISOString() : null,
          };
          deps.operators?.to(jobRoom(r.quick_job_id)).emit('quick_job_target_changed', event);
        }
        const activity: DeviceActivityChanged = { activity_id: r.id, job_id: r.id, guid, hostname: r.hostname, status: r.status, change };
        deps.operators?.to(`device:${guid}`).emit('device_activity_changed', activity);
      }
    },
    output(event) {
      deps.operators?.to(jobRoom(event.quick_job_id)).emit('quick_job_output', event);
    },
    activityDeleted(rows) {
      for (const r of rows) {
        const guid = r.device_guid.toUpperCase();
        const activity: DeviceActivityChanged = { activity_id: r.id, job_id: r.id, guid, hostname: r.hostname, status: r.status, change: 'deleted' };
        deps.operators?.to(`device:${guid}`).emit('device_activity_changed', activity);
      }
    },
    touch(quickJobId) {
      touched.add(quickJobId);
    },
    recount,
    start() {
      timer = setInterval(() => void recount(), deps.recountMs ?? RECOUNT_MS);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await recount();
    },
  };
}
