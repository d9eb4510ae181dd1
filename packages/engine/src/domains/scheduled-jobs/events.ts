// Operator events of scheduled jobs (automation.md §3.4) on the /operator namespace:
// scheduled_job_changed, and scheduled_job_occurrence_changed at most twice a second per occurrence.

import { OPERATOR_NAMESPACE, type ScheduledJobChangedEvent, type ScheduledJobOccurrenceChangedEvent } from '@borealis/protocol';
import type { RealtimeServer } from '../../realtime/socket-server';

export interface ScheduledJobEvents {
  jobChanged(event: ScheduledJobChangedEvent): void;
  occurrenceChanged(event: ScheduledJobOccurrenceChangedEvent): void;
}

const MIN_INTERVAL_MS = 500;

export function createScheduledJobEvents(realtime: RealtimeServer | null): ScheduledJobEvents {
  const last = new Map<string, number>();
  const pending = new Map<string, { timer: NodeJS.Timeout; event: ScheduledJobOccurrenceChangedEvent }>();
  const emit = (name: string, payload: unknown) => realtime?.io.of(OPERATOR_NAMESPACE).emit(name, payload);
  const send = (event: ScheduledJobOccurrenceChangedEvent) => {
    last.set(event.occurrence_id, Date.now());
    emit('scheduled_job_occurrence_changed', event);
    if (last.size > 10_000) last.clear();
  };
  return {
    jobChanged: (event) => emit('scheduled_job_changed', event),
    occurrenceChanged(event) {
      if (!realtime) return;
      const queued = pending.get(event.occurrence_id);
      if (queued) {
        queued.event = event; // the trailing emit carries the latest state
        return;
      }
      const wait = (last.get(event.occurrence_id) ?? 0) + MIN_INTERVAL_MS - Date.now();
      if (wait <= 0) return send(event);
      const entry = {
        event,
        timer: setTimeout(() => {
          pending.delete(event.occurrence_id);
          send(entry.event);
        }, wait),
      };
      entry.timer.unref?.();
      pending.set(event.occurrence_id, entry);
    },
  };
}
