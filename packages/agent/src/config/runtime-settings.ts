// Settings the engine pushes with GET /api/agent/config (§4.5), with the §10 defaults the agent
// uses until its first pull. They are not agent.json keys: §4.1 rejects unknown keys there.

import { z } from 'zod';

export const AGENT_LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

export const RuntimeSettingsSchema = z.object({
  heartbeat_interval_s: z.int().min(1).max(120).default(20),
  heartbeat_jitter_s: z.int().min(0).max(60).default(5),
  inventory_check_interval_s: z.int().min(1).default(300),
  software_interval_s: z.int().min(1).default(3600),
  full_inventory_interval_s: z.int().min(1).default(86_400),
  job_output_max_bytes: z.int().min(1).default(1024 * 1024),
  max_concurrent_jobs: z.int().min(1).default(4),
  log_level: z.enum(AGENT_LOG_LEVELS).default('info'),
});

export type RuntimeSettings = z.infer<typeof RuntimeSettingsSchema>;

export const DEFAULT_RUNTIME_SETTINGS: Readonly<RuntimeSettings> = Object.freeze(RuntimeSettingsSchema.parse({}));
