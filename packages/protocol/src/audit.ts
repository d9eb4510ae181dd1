// Wire shapes of the audit trail (security.md §9): the event row and GET /api/audit's filters
// and page.

import { z } from 'zod';

export const AuditActorTypeSchema = z.enum(['user', 'device', 'system', 'api_token', 'anonymous']);
export type AuditActorType = z.infer<typeof AuditActorTypeSchema>;

export const AuditOutcomeSchema = z.enum(['success', 'failure', 'denied']);
export type AuditOutcome = z.infer<typeof AuditOutcomeSchema>;

export const AuditSeveritySchema = z.enum(['info', 'warning', 'high']);
export type AuditSeverity = z.infer<typeof AuditSeveritySchema>;

export const AuditEventSchema = z
  .object({
    id: z.string(),
    at: z.string(),
    actor_type: AuditActorTypeSchema,
    actor_id: z.string().nullable(),
    actor_name: z.string().nullable(),
    actor_ip: z.string().nullable(),
    action: z.string(),
    target_type: z.string().nullable(),
    target_id: z.string().nullable(),
    site_id: z.number().int().nullable(),
    outcome: AuditOutcomeSchema,
    severity: AuditSeveritySchema,
    details: z.record(z.string(), z.unknown()),
    request_id: z.string().nullable(),
  })
  .meta({ id: 'AuditEvent' });
export type AuditEvent = z.infer<typeof AuditEventSchema>;

export const AuditEventListSchema = z
  .object({ events: z.array(AuditEventSchema), next_cursor: z.string().nullable() })
  .meta({ id: 'AuditEventList' });
export type AuditEventList = z.infer<typeof AuditEventListSchema>;

export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 500;

const isoDateTime = z.iso.datetime({ offset: true });
const isoDate = z.iso.date();

/** A point in time: an ISO-8601 date-time with `Z` or an offset, or a date (midnight UTC). */
const InstantParam = z
  .string()
  .max(64)
  .refine((v) => isoDateTime.safeParse(v).success || isoDate.safeParse(v).success, 'must be an ISO-8601 date-time with a time zone, such as 2026-11-25T04:00:00Z');

/** An exact action (`auth.login.failed`) or a prefix ending in `.*` (`auth.*`). */
export const AuditActionFilterSchema = z
  .string()
  .max(128)
  .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$/, 'must be an action such as auth.login.failed, or a prefix ending in .* such as auth.*');

const TextParam = z.string().min(1, 'must not be empty').max(256);

const IntParam = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,10}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

export const AuditSortSchema = z.enum(['-at', 'at']);

/** Query of GET /api/audit; `action` may repeat (`?action=a&action=b`) and any one must match. */
export const AuditListQuerySchema = z
  .strictObject({
    from: InstantParam.meta({ description: 'Events at or after this instant (ISO-8601)' }).optional(),
    to: InstantParam.meta({ description: 'Events before this instant (ISO-8601, exclusive)' }).optional(),
    action: z
      .union([AuditActionFilterSchema, z.array(AuditActionFilterSchema).min(1).max(20)])
      .meta({ description: 'Exact action or a prefix ending in .*; repeat to match any of several' })
      .transform((v) => (Array.isArray(v) ? v : [v]))
      .optional(),
    actor_type: AuditActorTypeSchema.optional(),
    actor_id: TextParam.optional(),
    actor: TextParam.meta({ description: 'Start of the actor name at the time (username), case-insensitive' }).optional(),
    target_type: TextParam.optional(),
    target_id: TextParam.optional(),
    site_id: IntParam(0, 2_147_483_647).optional(),
    outcome: AuditOutcomeSchema.optional(),
    severity: AuditSeveritySchema.optional(),
    limit: IntParam(1, AUDIT_PAGE_MAX).meta({ description: `Page size, 1-${AUDIT_PAGE_MAX} (default ${AUDIT_PAGE_DEFAULT})` }).default(AUDIT_PAGE_DEFAULT),
    cursor: z.string().min(1).max(512).meta({ description: 'next_cursor of the previous page (opaque)' }).optional(),
    sort: AuditSortSchema.default('-at'),
  })
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) <= Date.parse(q.to), {
    path: ['to'],
    message: 'must not be before from',
  });
export type AuditListQuery = z.output<typeof AuditListQuerySchema>;
