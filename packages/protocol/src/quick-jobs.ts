// Operator-facing quick-job shapes (automation.md §2, api.md "Browser realtime"): the dispatch body
// and its 202 answer, job and target reads, cancel, device activity, and the /operator job events.

import { z } from 'zod';

/** automation.md §2.2, as stored and shown (browser-safe copy of the agent list). */
export const QUICK_JOB_STATUSES = ['Pending', 'Running', 'Success', 'Warning', 'Failed', 'Expired', 'Timed Out', 'Skipped', 'Cancelled'] as const;
export type QuickJobStatus = (typeof QUICK_JOB_STATUSES)[number];
export const TERMINAL_QUICK_JOB_STATUSES: readonly QuickJobStatus[] = ['Success', 'Warning', 'Failed', 'Expired', 'Timed Out', 'Skipped', 'Cancelled'];

/** Count keys of `counts` (snake_case of the statuses) plus `total`. */
export const QUICK_JOB_COUNT_KEYS = ['pending', 'running', 'success', 'warning', 'failed', 'expired', 'timed_out', 'skipped', 'cancelled'] as const;
export type QuickJobCountKey = (typeof QUICK_JOB_COUNT_KEYS)[number];
export const QuickJobCountsSchema = z.object({
  total: z.number().int(),
  pending: z.number().int(),
  running: z.number().int(),
  success: z.number().int(),
  warning: z.number().int(),
  failed: z.number().int(),
  expired: z.number().int(),
  timed_out: z.number().int(),
  skipped: z.number().int(),
  cancelled: z.number().int(),
});
export type QuickJobCounts = z.infer<typeof QuickJobCountsSchema>;

export function countKeyOf(status: QuickJobStatus): QuickJobCountKey {
  return status.toLowerCase().replace(' ', '_') as QuickJobCountKey;
}

const wireGuid = z.string().regex(/^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/, 'must be a UUID');

export const QuickRunTargetsSchema = z.object({
  device_guids: z.array(wireGuid).max(50_000).optional(),
  hostnames: z.array(z.string().min(1).max(253)).max(50_000).optional(),
  filter_id: z.number().int().positive().optional(),
  site_ids: z.array(z.number().int().positive()).max(10_000).optional(),
  all_devices: z.boolean().optional(),
});
export type QuickRunTargets = z.infer<typeof QuickRunTargetsSchema>;

/** Fields of upstream's dialog we refuse by name (automation.md §2.1). */
export const LEGACY_QUICK_RUN_FIELDS = ['script_path', 'admin_user', 'admin_pass'] as const;

/** `POST /api/scripts/quick_run` (automation.md §2.1); upstream's top-level `hostnames[]` is accepted. */
export const QuickRunRequestSchema = z.object({
  assembly_guid: z.string().min(1).max(64),
  assembly_revision: z.number().int().positive().optional(),
  targets: QuickRunTargetsSchema.optional(),
  hostnames: z.array(z.string().min(1).max(253)).max(50_000).optional(),
  variable_values: z.record(z.string().max(128), z.union([z.string().max(32 * 1024), z.number(), z.boolean(), z.null()])).default({}),
  run_mode: z.string().max(32).default('system'),
  timeout_seconds: z.number().int().min(1).max(86_400).optional(),
  expires_in_seconds: z.number().int().min(0).max(2_592_000).default(3600),
  // Named so that their presence answers legacy_field_unsupported rather than being stripped.
  script_path: z.unknown().optional(),
  admin_user: z.unknown().optional(),
  admin_pass: z.unknown().optional(),
});
export type QuickRunRequest = z.infer<typeof QuickRunRequestSchema>;

export const QuickRunTargetResultSchema = z.object({
  hostname: z.string(),
  device_guid: z.string(),
  job_id: z.string(),
  status: z.enum(QUICK_JOB_STATUSES),
  phase: z.string().nullable(),
});

export const QuickRunResponseSchema = z.object({
  quick_job_id: z.string(),
  expires_at: z.string(),
  target_count: z.number().int(),
  counts: QuickJobCountsSchema,
  results: z.array(QuickRunTargetResultSchema),
});
export type QuickRunResponse = z.infer<typeof QuickRunResponseSchema>;

export const QuickJobSchema = z.object({
  quick_job_id: z.string(),
  source: z.string(),
  created_by_name: z.string(),
  assembly_guid: z.string(),
  assembly_revision: z.number().int(),
  script_name: z.string(),
  run_mode: z.string(),
  timeout_seconds: z.number().int(),
  expires_at: z.string(),
  target_count: z.number().int(),
  counts: QuickJobCountsSchema,
  created_at: z.string(),
  finished_at: z.string().nullable(),
});
export type QuickJob = z.infer<typeof QuickJobSchema>;

export const QuickJobListSchema = z.object({ quick_jobs: z.array(QuickJobSchema), next_cursor: z.string().nullable() });

export const QuickJobTargetSchema = z.object({
  job_id: z.string(),
  device_guid: z.string(),
  hostname: z.string(),
  site_id: z.number().int().nullable(),
  status: z.enum(QUICK_JOB_STATUSES),
  phase: z.string().nullable(),
  skip_reason: z.string().nullable(),
  error_code: z.string().nullable(),
  error: z.string().nullable(),
  exit_code: z.number().int().nullable(),
  signal: z.string().nullable(),
  stdout_excerpt: z.string().nullable(),
  stderr_excerpt: z.string().nullable(),
  stdout_truncated: z.boolean(),
  stderr_truncated: z.boolean(),
  dispatched_at: z.string().nullable(),
  accepted_at: z.string().nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  duration_ms: z.number().int().nullable(),
  cancel_confirmed: z.boolean().nullable(),
});
export type QuickJobTarget = z.infer<typeof QuickJobTargetSchema>;

export const QuickJobTargetListSchema = z.object({ targets: z.array(QuickJobTargetSchema), next_cursor: z.string().nullable() });

export const QuickJobTargetsQuerySchema = z.object({
  status: z.enum(QUICK_JOB_STATUSES).optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const ListQuerySchema = z.object({ cursor: z.string().max(512).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) });

export const QuickJobIdParamsSchema = z.object({ quick_job_id: z.string().uuid() });

export const QuickJobCancelRequestSchema = z.object({ job_ids: z.array(z.string().uuid()).max(50_000).optional() }).default({});
export const QuickJobCancelResponseSchema = z.object({ cancelled: z.array(z.string()), cancelling: z.array(z.string()) });
export type QuickJobCancelResponse = z.infer<typeof QuickJobCancelResponseSchema>;

/** One execution row (device activity, upstream-compatible names plus ours). */
export const ActivitySchema = QuickJobTargetSchema.omit({ stdout_excerpt: true, stderr_excerpt: true }).extend({
  id: z.string(),
  quick_job_id: z.string().nullable(),
  activity_kind: z.string(),
  script_name: z.string(),
  assembly_guid: z.string(),
  assembly_revision: z.number().int(),
  ran_at: z.string(),
  has_stdout: z.boolean(),
  has_stderr: z.boolean(),
});
export const ActivityListSchema = z.object({ history: z.array(ActivitySchema), next_cursor: z.string().nullable() });

export const OutputChunkSchema = z.object({ seq: z.number().int(), stream: z.enum(['stdout', 'stderr']), chunk: z.string() });
/** `GET /api/device/activity/job/:job_id`: the row with its output; live chunks while it runs. */
export const ActivityDetailSchema = ActivitySchema.extend({
  stdout: z.string().nullable(),
  stderr: z.string().nullable(),
  stdout_total_bytes: z.number().int().nullable(),
  stderr_total_bytes: z.number().int().nullable(),
  live_output: z.array(OutputChunkSchema),
});
export type ActivityDetail = z.infer<typeof ActivityDetailSchema>;

export const HostnameParamsSchema = z.object({ hostname: z.string().min(1).max(253) });
export const ActivityJobParamsSchema = z.object({ job_id: z.string().uuid() });
export const ActivityDeletedSchema = z.object({ deleted: z.number().int() });

// /operator events (automation.md §2.4) in room job:<quick_job_id> and device:<guid>.
export const QuickJobTargetChangedSchema = z.object({
  quick_job_id: z.string(),
  job_id: z.string(),
  guid: z.string(),
  status: z.enum(QUICK_JOB_STATUSES),
  phase: z.string().nullable(),
  exit_code: z.number().int().nullable(),
  error_code: z.string().nullable(),
  finished_at: z.string().nullable(),
});
export type QuickJobTargetChanged = z.infer<typeof QuickJobTargetChangedSchema>;
export const QuickJobOutputEventSchema = z.object({
  quick_job_id: z.string(),
  job_id: z.string(),
  guid: z.string(),
  seq: z.number().int(),
  stream: z.enum(['stdout', 'stderr']),
  chunk: z.string(),
});
export type QuickJobOutputEvent = z.infer<typeof QuickJobOutputEventSchema>;
export const QuickJobSummarySchema = z.object({ quick_job_id: z.string(), counts: QuickJobCountsSchema });
export type QuickJobSummary = z.infer<typeof QuickJobSummarySchema>;
export const DeviceActivityChangedSchema = z.object({
  activity_id: z.string(),
  job_id: z.string(),
  guid: z.string(),
  hostname: z.string(),
  status: z.enum(QUICK_JOB_STATUSES),
  change: z.enum(['created', 'updated', 'deleted']),
});
export type DeviceActivityChanged = z.infer<typeof DeviceActivityChangedSchema>;
