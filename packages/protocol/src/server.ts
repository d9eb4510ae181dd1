// Server administration wire shapes (routes.tsv groups `server` and `logs`, M1): the overview
// dashboard, site workers, scheduler work items with their leases, and the log viewer.

import { z } from 'zod';
import { AegisStatusSchema } from './auth';

export const EngineNodeSchema = z.object({
  node_id: z.string(),
  role: z.string(),
  host: z.string(),
  pid: z.number(),
  version: z.string(),
  started_at: z.string(),
  last_seen_at: z.string(),
  /** Seen within the liveness window (last_seen_at younger than 2 minutes). */
  alive: z.boolean(),
});
export type EngineNode = z.infer<typeof EngineNodeSchema>;

export const ServerCertificateSchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  valid_from: z.string(),
  valid_to: z.string(),
  days_left: z.number(),
  fingerprint_sha256: z.string(),
  /** The engine made its own CA (agents pin ca.pem); false when the operator supplied the certificate. */
  local_ca: z.boolean(),
  san: z.string().nullable(),
});
export type ServerCertificate = z.infer<typeof ServerCertificateSchema>;

export const ServerOverviewSchema = z.object({
  host: z.object({ hostname: z.string(), platform: z.string(), uptime_seconds: z.number(), node_version: z.string() }),
  engine: z.object({ version: z.string(), role: z.string(), started_at: z.string(), database: z.string() }),
  services: z.array(z.object({ service: z.string(), logs: z.number() })),
  nodes: z.array(EngineNodeSchema),
  /** null when the engine serves plain HTTP. */
  certificate: ServerCertificateSchema.nullable(),
  aegis: AegisStatusSchema,
  operators_online: z.object({
    /** Sessions not revoked and active within the window. */
    count: z.number(),
    window_seconds: z.number(),
    users: z.array(z.object({ user_id: z.string(), username: z.string(), last_seen_at: z.string() })),
  }),
  devices: z.object({ online: z.number(), total: z.number() }),
});
export type ServerOverview = z.infer<typeof ServerOverviewSchema>;

export const SiteWorkerSchema = z.object({
  worker_guid: z.string(),
  name: z.string(),
  kind: z.enum(['scheduler', 'site_worker']),
  site_id: z.number().nullable(),
  lanes: z.array(z.string()),
  status: z.enum(['starting', 'running', 'idle', 'stopped', 'lost']),
  launcher: z.string(),
  host: z.string(),
  pid: z.number().nullable(),
  concurrency: z.number(),
  started_at: z.string(),
  last_heartbeat_at: z.string(),
  stopped_at: z.string().nullable(),
});
export type SiteWorker = z.infer<typeof SiteWorkerSchema>;

export const ServerWorkersSchema = z.object({
  workers: z.array(SiteWorkerSchema),
  sites: z.array(z.object({ site_id: z.number(), name: z.string(), devices: z.number(), queued: z.number(), running: z.number() })),
});
export type ServerWorkers = z.infer<typeof ServerWorkersSchema>;

export const WORK_ITEM_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

export const WorkItemSchema = z.object({
  id: z.string(),
  kind: z.string(),
  lane: z.string(),
  site_id: z.number(),
  job_id: z.number().nullable(),
  run_id: z.string().nullable(),
  status: z.enum(WORK_ITEM_STATUSES),
  priority: z.number(),
  attempt_count: z.number(),
  max_attempts: z.number(),
  available_at: z.string(),
  lease_owner: z.string().nullable(),
  lease_expires_at: z.string().nullable(),
  heartbeat_at: z.string().nullable(),
  error: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  finished_at: z.string().nullable(),
});
export type WorkItem = z.infer<typeof WorkItemSchema>;

export const WorkItemListQuerySchema = z.object({
  status: z.enum(WORK_ITEM_STATUSES).optional(),
  site_id: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().regex(/^\d{1,19}$/, 'not a cursor').optional(),
});
export type WorkItemListQuery = z.infer<typeof WorkItemListQuerySchema>;

export const WorkItemListSchema = z.object({ items: z.array(WorkItemSchema), next_cursor: z.string().nullable() });
export type WorkItemList = z.infer<typeof WorkItemListSchema>;

/** A log name is `<service>:<file>`, exactly as GET /api/server/logs lists it. */
export const LOG_NAME = /^[a-z0-9][a-z0-9._-]{0,80}:[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/;

export const LogFileSchema = z.object({
  name: z.string(),
  service: z.string(),
  file: z.string(),
  size_bytes: z.number(),
  modified: z.string(),
  retention_days: z.number(),
});
export type LogFile = z.infer<typeof LogFileSchema>;

export const LogListSchema = z.object({
  log_root: z.string(),
  logs: z.array(LogFileSchema),
  default_retention_days: z.number(),
  retention_overrides: z.record(z.string(), z.number()),
  /** Rolled files removed by retention while building this listing. */
  retention_deleted: z.array(z.string()),
});
export type LogList = z.infer<typeof LogListSchema>;

export const LogEntriesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  /** Lines to skip back from the end (paging towards the start of the file). */
  offset: z.coerce.number().int().min(0).default(0),
  filter: z.string().max(200).optional(),
});
export type LogEntriesQuery = z.infer<typeof LogEntriesQuerySchema>;

export const LogEntriesSchema = z.object({
  file: z.string(),
  entries: z.array(z.string()),
  total_lines: z.number(),
  returned_lines: z.number(),
  /** More matching lines exist before the first returned one. */
  truncated: z.boolean(),
  size_bytes: z.number(),
  modified: z.string(),
});
export type LogEntries = z.infer<typeof LogEntriesSchema>;

const RetentionDays = z.number().int().min(1).max(3650);
export const LogRetentionBodySchema = z.object({
  retention: z.union([z.record(z.string().regex(LOG_NAME), RetentionDays), z.array(z.object({ file: z.string().regex(LOG_NAME), days: RetentionDays }))]),
});
export type LogRetentionBody = z.infer<typeof LogRetentionBodySchema>;
