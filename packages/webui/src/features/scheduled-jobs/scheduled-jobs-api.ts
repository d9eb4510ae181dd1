// Calls to the scheduled-jobs routes (automation.md §3): jobs, schedule preview, run history.
import {
  type CreateScheduledJobRequest,
  DeviceRunListSchema,
  OccurrenceListSchema,
  RerunResultSchema,
  type Schedule,
  SchedulePreviewSchema,
  ScheduledJobListSchema,
  ScheduledJobSchema,
  type UpdateScheduledJobRequest,
} from '@borealis/protocol';
import { getJson, NO_CONTENT, type RequestOptions, sendJson } from '../../shared/api-client';

export const listScheduledJobs = (options?: RequestOptions) => getJson('/api/scheduled_jobs', ScheduledJobListSchema, options);
export const getScheduledJob = (id: number, options?: RequestOptions) => getJson(`/api/scheduled_jobs/${id}`, ScheduledJobSchema, options);
export const createScheduledJob = (body: CreateScheduledJobRequest) => sendJson('POST', '/api/scheduled_jobs', body, ScheduledJobSchema);
/** `version` goes as If-Match: a job changed meanwhile answers 409 version_conflict. */
export const updateScheduledJob = (id: number, body: UpdateScheduledJobRequest, version: number) =>
  sendJson('PUT', `/api/scheduled_jobs/${id}`, body, ScheduledJobSchema, { headers: { 'if-match': `"${version}"` } });
export const toggleScheduledJob = (id: number, enabled: boolean) => sendJson('POST', `/api/scheduled_jobs/${id}/toggle`, { enabled }, ScheduledJobSchema);
export const deleteScheduledJob = (id: number) => sendJson('DELETE', `/api/scheduled_jobs/${id}`, undefined, NO_CONTENT);
export const rerunScheduledJob = (id: number, idempotencyKey: string) =>
  sendJson('POST', `/api/scheduled_jobs/${id}/rerun`, {}, RerunResultSchema, { headers: { 'idempotency-key': idempotencyKey } });
export const previewSchedule = (schedule: Schedule, count: number, options?: RequestOptions) =>
  sendJson('POST', '/api/scheduled_jobs/schedule_preview', { schedule, count }, SchedulePreviewSchema, options);
export const listOccurrences = (id: number, options?: RequestOptions) => getJson(`/api/scheduled_jobs/${id}/runs?limit=50`, OccurrenceListSchema, options);
export const listDeviceRuns = (id: number, occurrenceId: string, options?: RequestOptions) =>
  getJson(`/api/scheduled_jobs/${id}/devices?occurrence_id=${encodeURIComponent(occurrenceId)}&limit=500`, DeviceRunListSchema, options);
