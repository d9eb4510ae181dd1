// Operator events of scheduled jobs (automation.md §3.4) on the /operator namespace:
// scheduled_job_changed, and scheduled_job_occurrence_changed at most twice a second per occurrence.
// Each reaches only the sockets whose site scope covers the job (api.md "Browser realtime"), by the
// rule reads use: admins every job, others jobs whose allowed_site_ids are all in their scope.

import type { Kysely } from 'kysely';
import { OPERATOR_NAMESPACE, type ScheduledJobChangedEvent, type ScheduledJobOccurrenceChangedEvent } from '@borealis/protocol';
import type { Database } from '../../db/schema';
import type { RealtimeServer } from '../../realtime/socket-server';

export interface ScheduledJobEvents {
  /** `allowedSiteIds`: the job's, when the caller holds the row (a deleted job has none left to read). */
  jobChanged(event: ScheduledJobChangedEvent, allowedSiteIds?: readonly number[]): void;
  occurrenceChanged(event: ScheduledJobOccurrenceChangedEvent, allowedSiteIds?: readonly number[]): void;
}

const MIN_INTERVAL_MS = 500;

/** Whether a socket's scope (set at connect by the operator relays; null = admin) covers a job. */
export function scopeCoversJob(siteIds: readonly number[] | null | undefined, allowedSiteIds: readonly number[]): boolean {
  if (siteIds === null) return true;
  if (!siteIds || allowedSiteIds.length === 0) return false;
  return allowedSiteIds.every((s) => siteIds.includes(s));
}

export function createScheduledJobEvents(realtime: RealtimeServer | null, db?: Kysely<Database>): ScheduledJobEvents {
  const last = new Map<string, number>();
  const pending = new Map<string, { timer: NodeJS.Timeout; event: ScheduledJobOccurrenceChangedEvent; allowed?: readonly number[] }>();
  const allowedOf = async (jobId: number, known: readonly number[] | undefined): Promise<readonly number[] | null> => {
    if (known) return known;
    const row = db ? await db.selectFrom('scheduled_jobs').select('allowed_site_ids').where('id', '=', jobId).executeTakeFirst() : undefined;
    return row?.allowed_site_ids ?? null;
  };
  const emit = (name: string, jobId: number, payload: unknown, known: readonly number[] | undefined) => {
    if (!realtime) return;
    void allowedOf(jobId, known)
      .then((allowed) => {
        for (const socket of realtime.io.of(OPERATOR_NAMESPACE).sockets.values()) {
          const siteIds = (socket.data as { siteIds?: readonly number[] | null }).siteIds;
          // A job that is gone and unknown reaches admins only.
          if (allowed === null ? siteIds === null : scopeCoversJob(siteIds, allowed)) socket.emit(name, payload);
        }
      })
      .catch(() => undefined);
  };
  const send = (event: ScheduledJobOccurrenceChangedEvent, allowed: readonly number[] | undefined) => {
    last.set(event.occurrence_id, Date.now());
    emit('scheduled_job_occurrence_changed', event.job_id, event, allowed);
    if (last.size > 10_000) last.clear();
  };
  return {
    jobChanged: (event, allowed) => emit('scheduled_job_changed', event.job_id, event, allowed),
    occurrenceChanged(event, allowed) {
      if (!realtime) return;
      const queued = pending.get(event.occurrence_id);
      if (queued) {
        queued.event = event; // the trailing emit carries the latest state
        queued.allowed = allowed ?? queued.allowed;
        return;
      }
      const wait = (last.get(event.occurrence_id) ?? 0) + MIN_INTERVAL_MS - Date.now();
      if (wait <= 0) return send(event, allowed);
      const entry = {
        event,
        allowed,
        timer: setTimeout(() => {
          pending.delete(event.occurrence_id);
          send(entry.event, entry.allowed);
        }, wait),
      };
      entry.timer.unref?.();
      pending.set(event.occurrence_id, entry);
    },
  };
}
