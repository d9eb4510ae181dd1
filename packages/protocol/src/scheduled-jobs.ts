// Wire shapes of the scheduled-jobs routes (routes.tsv group `scheduled-jobs`, automation.md §3):
// job definitions, schedules and their preview, occurrences, per-device runs, and the
// scheduled_job_changed / scheduled_job_occurrence_changed operator events.

import { z } from 'zod';

const intId = z.coerce.number().int().positive().max(2_147_483_647);
const bigId = z.string().regex(/^\d{1,18}$/, 'must be a numeric id');

export const SCHEDULE_TYPES = [
  'immediately',
  'once',
  'every_5_minutes',
  'every_10_minutes',
  'every_15_minutes',
  'every_30_minutes',
  'every_hour',
  'hourly',
  'daily',
  'weekly',
  'monthly',
  'yearly',
  'cron',
] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

export const ScheduleSchema = z
  .object({
    type: z.enum(SCHEDULE_TYPES).default('immediately'),
    /** ISO date-time; without an offset it is wall time in `timezone`. */
    start: z.string().trim().max(40).nullish(),
    /** IANA zone; default BOREALIS_TIMEZONE, else the host zone. */
    timezone: z.string().trim().max(64).nullish(),
    /** Five cron fields (type `cron`). */
    cron: z.string().trim().max(200).nullish(),
  })
  .meta({ id: 'Schedule' });
export type Schedule = z.infer<typeof ScheduleSchema>;

export const COMPONENT_KINDS = ['script', 'ansible', 'workflow', 'patch_install', 'device_onboarding'] as const;

export const ScheduledJobComponentSchema = z
  .object({
    kind: z.enum(COMPONENT_KINDS).default('script'),
    assembly_guid: z.string().trim().min(1).max(64),
    /** Pinned revision; omitted = the revision current when the job is saved. */
    assembly_revision: z.number().int().positive().nullish(),
    variable_values: z.record(z.string(), z.unknown()).default({}),
    timeout_seconds: z.number().int().min(1).max(86_400).nullish(),
  })
  .meta({ id: 'ScheduledJobComponent' });
export type ScheduledJobComponent = z.infer<typeof ScheduledJobComponentSchema>;

export const ScheduledJobTargetSchema = z
  .union([
    z.object({ kind: z.literal('device'), device_guid: z.string().trim().max(64).optional(), hostname: z.string().trim().max(255).optional() }),
    z.object({ kind: z.literal('filter'), filter_id: intId }),
    z.object({ kind: z.literal('site'), site_id: intId }),
    z.object({ kind: z.literal('all_devices') }),
    /** Upstream: a bare hostname (or device GUID). */
    z.string().trim().min(1).max(255),
  ])
  .meta({ id: 'ScheduledJobTarget' });
export type ScheduledJobTargetInput = z.infer<typeof ScheduledJobTargetSchema>;

/** Stored, normalised targets. */
export type ScheduledJobTarget =
  | { kind: 'device'; device_guid: string; hostname?: string }
  | { kind: 'filter'; filter_id: number }
  | { kind: 'site'; site_id: number }
  | { kind: 'all_devices' };

export const EXPIRATION_PATTERN = /^(no_expire|\d{1,6}[mhd]?)$/;
export const MISSED_RUN_POLICIES = ['run_latest', 'skip'] as const;
export const EXECUTION_CONTEXTS = ['system', 'current_user', 'ssh_individual', 'ssh', 'winrm_individual', 'winrm'] as const;

const jobFields = {
  name: z.string().trim().min(1, 'is required').max(200),
  job_kind: z.enum(['automation', 'patch_install', 'onboarding', 'agent_maintenance']).default('automation'),
  components: z.array(ScheduledJobComponentSchema).min(1, 'at least one component is required').max(20),
  targets: z.array(ScheduledJobTargetSchema).max(10_000).default([]),
  schedule: ScheduleSchema.default({ type: 'immediately' }),
  expiration: z.string().trim().regex(EXPIRATION_PATTERN, 'must be no_expire or <n>m|h|d').default('no_expire'),
  execution_context: z.enum(EXECUTION_CONTEXTS).default('system'),
  credential_id: z.number().int().positive().nullish(),
  use_service_account: z.boolean().default(false),
  missed_run_policy: z.enum(MISSED_RUN_POLICIES).default('run_latest'),
  stop_on_failure: z.boolean().default(true),
  enabled: z.boolean().default(true),
};

export const CreateScheduledJobRequestSchema = z.object(jobFields).meta({ id: 'CreateScheduledJobRequest' });
export type CreateScheduledJobRequest = z.infer<typeof CreateScheduledJobRequestSchema>;

/** PUT merges: every field optional, at least one present. */
export const UpdateScheduledJobRequestSchema = z
  .object({
    name: jobFields.name.optional(),
    components: z.array(ScheduledJobComponentSchema).min(1).max(20).optional(),
    targets: z.array(ScheduledJobTargetSchema).max(10_000).optional(),
    schedule: ScheduleSchema.optional(),
    expiration: z.string().trim().regex(EXPIRATION_PATTERN, 'must be no_expire or <n>m|h|d').optional(),
    execution_context: z.enum(EXECUTION_CONTEXTS).optional(),
    credential_id: z.number().int().positive().nullish(),
    use_service_account: z.boolean().optional(),
    missed_run_policy: z.enum(MISSED_RUN_POLICIES).optional(),
    stop_on_failure: z.boolean().optional(),
    enabled: z.boolean().optional(),
  })
  .meta({ id: 'UpdateScheduledJobRequest' });
export type UpdateScheduledJobRequest = z.infer<typeof UpdateScheduledJobRequestSchema>;

export const ToggleScheduledJobRequestSchema = z.object({ enabled: z.boolean().optional() });

export const StatusCountsSchema = z.record(z.string(), z.number().int());

export const ScheduledJobSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    job_kind: z.string(),
    components: z.array(z.record(z.string(), z.unknown())),
    targets: z.array(z.record(z.string(), z.unknown())),
    schedule: z.record(z.string(), z.unknown()),
    expiration: z.string(),
    execution_context: z.string(),
    credential_id: z.number().int().nullable(),
    use_service_account: z.boolean(),
    missed_run_policy: z.enum(MISSED_RUN_POLICIES),
    stop_on_failure: z.boolean(),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable(),
    state: z.enum(['active', 'completed']),
    next_occurrence_at: z.string().nullable(),
    allowed_site_ids: z.array(z.number().int()),
    version: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
    last_occurrence: z
      .object({ id: z.string(), scheduled_for: z.string(), status: z.string(), counts: StatusCountsSchema })
      .nullable()
      .optional(),
  })
  .meta({ id: 'ScheduledJob' });
export type ScheduledJob = z.infer<typeof ScheduledJobSchema>;

export const ScheduledJobListSchema = z.object({ jobs: z.array(ScheduledJobSchema) });
export const ScheduledJobIdParamsSchema = z.object({ job_id: intId });
export const OccurrenceParamsSchema = z.object({ job_id: intId, occurrence_id: bigId });

export const SchedulePreviewRequestSchema = z.object({ schedule: ScheduleSchema, count: z.number().int().min(1).max(20).default(5) });
export const SchedulePreviewSchema = z.object({
  timezone: z.string(),
  occurrences: z.array(z.object({ at: z.string(), local: z.string() })),
});
export type SchedulePreview = z.infer<typeof SchedulePreviewSchema>;

export const OccurrenceSchema = z
  .object({
    id: z.string(),
    job_id: z.number().int(),
    scheduled_for: z.string(),
    trigger: z.enum(['schedule', 'catch_up', 'manual']),
    missed_count: z.number().int(),
    status: z.string(),
    skip_reason: z.string().nullable(),
    counts: StatusCountsSchema,
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
  })
  .meta({ id: 'ScheduledJobOccurrence' });
export type Occurrence = z.infer<typeof OccurrenceSchema>;

export const OccurrenceListSchema = z.object({ occurrences: z.array(OccurrenceSchema), next_cursor: z.string().nullable() });
export const OccurrenceListQuerySchema = z.object({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });

export const ExecutionResultSchema = z.object({
  job_id: z.string(),
  component_index: z.number().int(),
  assembly_guid: z.string(),
  script_name: z.string(),
  status: z.string(),
  phase: z.string().nullable(),
  skip_reason: z.string().nullable(),
  error_code: z.string().nullable(),
  exit_code: z.number().int().nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  duration_ms: z.number().int().nullable(),
  stdout: z.string().nullable(),
  stderr: z.string().nullable(),
});

export const DeviceRunSchema = z
  .object({
    run_id: z.string(),
    occurrence_id: z.string(),
    scheduled_for: z.string(),
    device_guid: z.string(),
    hostname: z.string(),
    site_id: z.number().int().nullable(),
    resolved_from: z.string(),
    status: z.string(),
    display_status_label: z.string(),
    skip_reason: z.string().nullable(),
    error: z.string().nullable(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    executions: z.array(ExecutionResultSchema),
  })
  .meta({ id: 'ScheduledJobDeviceRun' });
export type DeviceRun = z.infer<typeof DeviceRunSchema>;

export const DeviceRunListSchema = z.object({ runs: z.array(DeviceRunSchema), next_cursor: z.string().nullable() });
export const DeviceRunQuerySchema = z.object({
  occurrence_id: bigId.optional(),
  status: z.string().max(32).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const RerunResultSchema = z.object({ job_id: z.number().int(), occurrence_id: z.string(), scheduled_for: z.string() });
export const CancelOccurrenceResultSchema = z.object({ occurrence_id: z.string(), cancelled: z.number().int(), cancelling: z.number().int() });
export const DeletedRunsSchema = z.object({ deleted_occurrences: z.number().int() });

export const ScheduledJobChangedEventSchema = z.object({ job_id: z.number().int(), change: z.enum(['created', 'updated', 'deleted', 'enabled', 'disabled', 'completed']) });
export type ScheduledJobChangedEvent = z.infer<typeof ScheduledJobChangedEventSchema>;
export const ScheduledJobOccurrenceChangedEventSchema = z.object({
  job_id: z.number().int(),
  occurrence_id: z.string(),
  status: z.string(),
  counts: StatusCountsSchema,
});
export type ScheduledJobOccurrenceChangedEvent = z.infer<typeof ScheduledJobOccurrenceChangedEventSchema>;
