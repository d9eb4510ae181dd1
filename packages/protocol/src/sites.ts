// Wire shapes of the sites routes (routes.tsv group `sites`, data-model.md (a), agent-protocol.md
// §2.1): sites, their one enrolment code, the auto-approval window and hostname assignment.

import { z } from 'zod';

/** An integer identity id (PostgreSQL `integer`). */
const siteId = z.number().int().positive().max(2_147_483_647);
const isoTime = z.iso.datetime({ offset: true });

export const SiteNameSchema = z.string().trim().min(1, 'is required').max(128, 'must be at most 128 characters');
export const SiteDescriptionSchema = z.string().trim().max(1024, 'must be at most 1024 characters');

/** Display form of an enrolment code: 32 upper-case hex digits in 8 dash-separated groups of 4. */
export const ENROLLMENT_CODE_PATTERN = /^[0-9A-F]{4}(?:-[0-9A-F]{4}){7}$/;

export const SiteSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    created_at: z.string(),
    /** Devices in the site, retired ones not counted. */
    device_count: z.number().int(),
    /** Display form; null without `enrollment_approve` on the site, or after an Aegis force reset. */
    enrollment_code: z.string().nullable(),
    enrollment_code_expires_at: z.string().nullable(),
    enrollment_code_max_uses: z.number().int().nullable(),
    enrollment_code_uses: z.number().int(),
    auto_approve_until: z.string().nullable(),
    auto_approval_active: z.boolean(),
    version: z.number().int(),
  })
  .meta({ id: 'Site' });
export type Site = z.infer<typeof SiteSchema>;

export const SiteListSchema = z.object({
  sites: z.array(SiteSchema),
  /** Where agents reach the engine (BOREALIS_PUBLIC_URL), for install commands; null when unset. */
  public_base_url: z.string().nullable(),
  public_hostname: z.string().nullable(),
});
export type SiteList = z.infer<typeof SiteListSchema>;

export const CreateSiteRequestSchema = z.strictObject({
  name: SiteNameSchema,
  description: SiteDescriptionSchema.nullable().optional(),
});
export type CreateSiteRequest = z.infer<typeof CreateSiteRequestSchema>;

export const DeleteSitesRequestSchema = z.strictObject({ ids: z.array(siteId).min(1).max(500) });
export type DeleteSitesRequest = z.infer<typeof DeleteSitesRequestSchema>;

/** Ids that existed and were deleted; ids of no site are ignored. */
export const DeletedSitesSchema = z.object({ deleted_ids: z.array(z.number().int()) });

export const RenameSiteRequestSchema = z.strictObject({ id: siteId, new_name: SiteNameSchema });
export type RenameSiteRequest = z.infer<typeof RenameSiteRequestSchema>;

export const SiteIdParamsSchema = z.object({ site_id: z.coerce.number().pipe(siteId) });

/** A time in the future opens the window; null (or a past time) closes it. */
export const SiteAutoApprovalRequestSchema = z.strictObject({ auto_approve_until: isoTime.nullable() });
export type SiteAutoApprovalRequest = z.infer<typeof SiteAutoApprovalRequestSchema>;

export const RotateEnrollmentCodeRequestSchema = z.strictObject({
  expires_at: isoTime.nullable().optional(),
  max_uses: z.number().int().min(1).max(1_000_000).nullable().optional(),
});
export type RotateEnrollmentCodeRequest = z.infer<typeof RotateEnrollmentCodeRequestSchema>;

/** Hostname → site. */
export const SiteDeviceMapSchema = z.object({
  map: z.record(z.string(), z.object({ site_id: z.number().int(), site_name: z.string() })),
});
export type SiteDeviceMap = z.infer<typeof SiteDeviceMapSchema>;

export const AssignSiteDevicesRequestSchema = z.strictObject({
  site_id: siteId,
  hostnames: z.array(z.string().trim().min(1).max(253)).min(1).max(10_000),
});
export type AssignSiteDevicesRequest = z.infer<typeof AssignSiteDevicesRequestSchema>;

/** `unknown`: hostnames that match no device the caller may see. */
export const AssignSiteDevicesResultSchema = z.object({ assigned: z.number().int(), unknown: z.array(z.string()) });
export type AssignSiteDevicesResult = z.infer<typeof AssignSiteDevicesResultSchema>;
