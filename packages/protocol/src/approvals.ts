// Wire shapes of the approvals routes (routes.tsv group `approvals`, agent-protocol.md §2.5):
// the enrolment approval queue, operator decisions, recorded wrong codes and the site codes list.

import { z } from 'zod';

export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'expired', 'completed'] as const;
export const ApprovalStatusSchema = z.enum(APPROVAL_STATUSES);
export type ApprovalStatus = z.infer<typeof ApprovalStatusSchema>;

export const ConflictKindSchema = z.enum(['none', 'same_key', 'same_hostname', 'revoked_device']);
export type ConflictKind = z.infer<typeof ConflictKindSchema>;

export const ConflictResolutionSchema = z.enum(['merge', 'overwrite', 'coexist']);
export type ConflictResolution = z.infer<typeof ConflictResolutionSchema>;

/** The device a request collides with, as the approver needs to judge it. */
export const ConflictDeviceSchema = z.object({
  guid: z.string(),
  display_name: z.string(),
  hostname: z.string(),
  status: z.enum(['active', 'quarantined', 'revoked', 'decommissioned']),
  site_id: z.number().int().nullable(),
});
export type ConflictDevice = z.infer<typeof ConflictDeviceSchema>;

export const DeviceApprovalSchema = z
  .object({
    id: z.string(),
    approval_reference: z.string(),
    status: ApprovalStatusSchema,
    /** Upper-case GUID once known (merge/overwrite target at approval, the device after completion). */
    guid: z.string().nullable(),
    hostname_claimed: z.string(),
    fqdn: z.string().nullable(),
    ssl_key_fingerprint_claimed: z.string(),
    site_id: z.number().int().nullable(),
    site_name: z.string().nullable(),
    agent_version: z.string(),
    platform: z.string(),
    arch: z.string(),
    machine_id_sha256: z.string().nullable(),
    remote_addr: z.string(),
    conflict_kind: ConflictKindSchema,
    /** The colliding device; null without a conflict or when it is gone. */
    conflict_device: ConflictDeviceSchema.nullable(),
    /** What an approver may choose for this row (empty = approve as a new device, no choice). */
    allowed_resolutions: z.array(ConflictResolutionSchema),
    /** The resolution used when no choice is sent, or null when a choice is required. */
    default_resolution: ConflictResolutionSchema.nullable(),
    conflict_resolution: ConflictResolutionSchema.nullable(),
    decided_by: z.string().nullable(),
    decided_at: z.string().nullable(),
    deny_reason: z.string().nullable(),
    last_polled_at: z.string().nullable(),
    expires_at: z.string(),
    completed_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'DeviceApproval' });
export type DeviceApproval = z.infer<typeof DeviceApprovalSchema>;

/** A recorded wrong enrolment code (agent-protocol §2.3 check 5), listed as `wrong_code`. */
export const WrongCodeAttemptSchema = z
  .object({
    id: z.string(),
    status: z.literal('wrong_code'),
    hostname_claimed: z.string(),
    ssl_key_fingerprint_claimed: z.string(),
    /** Never the code itself: a few leading and trailing characters. */
    enrollment_code_mask: z.string(),
    remote_addr: z.string(),
    attempt_count: z.number().int(),
    first_seen_at: z.string(),
    last_seen_at: z.string(),
    /** The refusal the agent got: invalid_enrollment_code, enrollment_code_expired or code_consumed. */
    last_error: z.string(),
  })
  .meta({ id: 'WrongCodeAttempt' });
export type WrongCodeAttempt = z.infer<typeof WrongCodeAttemptSchema>;

export const DeviceApprovalListQuerySchema = z.object({
  /** A row status, or `wrong_code` for recorded wrong-code attempts (admins only). */
  status: z.enum([...APPROVAL_STATUSES, 'wrong_code']).optional(),
  site_id: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(512).optional(),
});
export type DeviceApprovalListQuery = z.infer<typeof DeviceApprovalListQuerySchema>;

export const DeviceApprovalListSchema = z.object({
  approvals: z.array(DeviceApprovalSchema),
  /** Filled instead of `approvals` when `status=wrong_code`. */
  wrong_codes: z.array(WrongCodeAttemptSchema),
  next_cursor: z.string().nullable(),
  /** Pending rows in the caller's scope (the nav badge). */
  pending_count: z.number().int(),
});
export type DeviceApprovalList = z.infer<typeof DeviceApprovalListSchema>;

export const ApprovalIdParamsSchema = z.object({ approval_id: z.uuid() });

export const ApproveDeviceRequestSchema = z.strictObject({
  conflict_resolution: ConflictResolutionSchema.optional(),
  /** Optional safety check: the GUID the approver expects to merge into or overwrite. */
  guid: z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a UUID').optional(),
});
export type ApproveDeviceRequest = z.infer<typeof ApproveDeviceRequestSchema>;

export const DenyDeviceRequestSchema = z.strictObject({ reason: z.string().trim().max(500).optional() });
export type DenyDeviceRequest = z.infer<typeof DenyDeviceRequestSchema>;

export const EnrollmentCodeEntrySchema = z.object({
  id: z.string(),
  site_id: z.number().int(),
  site_name: z.string(),
  /** Display form; null after an Aegis force reset until the code is rotated. */
  code: z.string().nullable(),
  created_at: z.string(),
  expires_at: z.string().nullable(),
  max_uses: z.number().int().nullable(),
  uses: z.number().int(),
  /** One line to paste on a Linux host; null without a code. */
  install_command: z.string().nullable(),
});
export type EnrollmentCodeEntry = z.infer<typeof EnrollmentCodeEntrySchema>;

export const EnrollmentCodeListSchema = z.object({ codes: z.array(EnrollmentCodeEntrySchema) });
export type EnrollmentCodeList = z.infer<typeof EnrollmentCodeListSchema>;
