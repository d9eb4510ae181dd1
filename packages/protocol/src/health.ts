// Wire shape of GET /health: liveness plus the parts an operator checks first.

import { z } from 'zod';

export const ENGINE_ROLES = ['all', 'api', 'scheduler', 'site-worker'] as const;
export const EngineRoleSchema = z.enum(ENGINE_ROLES);
export type EngineRole = z.infer<typeof EngineRoleSchema>;

export const DatabaseHealthSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  dialect: z.enum(['pglite', 'postgres']),
  latency_ms: z.number().nullable(),
  schema_version: z.string().nullable().describe('Newest applied migration.'),
  message: z.string().optional().describe('Why the database is unavailable (no connection details).'),
});
export type DatabaseHealth = z.infer<typeof DatabaseHealthSchema>;

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    version: z.string(),
    role: EngineRoleSchema,
    started_at: z.string(),
    uptime_seconds: z.number().int().nonnegative(),
    database: DatabaseHealthSchema,
    failing: z.array(z.string()).describe('Names of the parts that are not healthy; empty when status is ok.'),
  })
  .meta({ id: 'Health' });
export type Health = z.infer<typeof HealthSchema>;
