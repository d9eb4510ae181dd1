// Wire shapes of saved device filters (automation.md §7): the criteria grammar (groups of
// conditions folded strictly left to right), site modes, the filter document, preview and usage.

import { z } from 'zod';
import { DeviceListItemSchema } from './devices';

export const FILTER_TEXT_FIELDS = [
  'hostname',
  'description',
  'site_name',
  'operating_system',
  'device_type',
  'last_user',
  'internal_ip',
  'external_ip',
  'domain',
  'cpu_model',
  'agent_version',
  'metadata_field',
] as const;
export const FILTER_NUMBER_FIELDS = ['last_seen_age_minutes', 'total_ram_gb', 'storage_free_percent'] as const;
export const FILTER_FIELDS = [...FILTER_TEXT_FIELDS, 'status', ...FILTER_NUMBER_FIELDS, 'installed_software'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

export const TEXT_OPERATORS = ['contains', 'does_not_contain', 'equals', 'begins_with', 'ends_with'] as const;
export const NUMBER_OPERATORS = ['equals', 'greater_than', 'greater_than_or_equal', 'less_than', 'less_than_or_equal'] as const;
export const STATUS_OPERATORS = ['equals'] as const;
export const SOFTWARE_SOURCES = ['dpkg', 'rpm', 'local_installed', 'windows_store'] as const;
export const VERSION_OPERATORS = ['matches', 'older_than', 'newer_than'] as const;
export const FILTER_JOINS = ['AND', 'OR'] as const;
export const FILTER_REGEX_MAX = 256;
export const FILTER_GROUPS_MAX = 20;
export const FILTER_CONDITIONS_MAX = 50;
export const FILTER_PREVIEW_MAX = 100;

const join = z
  .string()
  .transform((v) => v.toUpperCase())
  .pipe(z.enum(FILTER_JOINS));

/**
 * One condition. Loose on input: which keys apply depends on `field`; the engine validates the
 * combination and names the path ("Advanced group 1 condition 2: value is required.").
 */
export const FilterConditionSchema = z.object({
  field: z.string().max(64),
  operator: z.string().max(64),
  value: z.union([z.string().max(1024), z.number(), z.null()]).optional(),
  use_regex: z.boolean().optional(),
  /** How this condition joins the ones before it (default AND; ignored on the first). */
  join_with: join.optional(),
  /** `metadata_field` only. */
  field_number: z.number().int().optional(),
  /** `installed_software` only. */
  software_source: z.string().max(32).nullable().optional(),
  version_operator: z.string().max(32).nullable().optional(),
  version: z.string().max(256).nullable().optional(),
});
export type FilterCondition = z.infer<typeof FilterConditionSchema>;

export const FilterGroupSchema = z.object({
  /** How this group joins the ones before it (default OR; ignored on the first). */
  join_with: join.optional(),
  conditions: z.array(FilterConditionSchema).max(FILTER_CONDITIONS_MAX),
});
export type FilterGroup = z.infer<typeof FilterGroupSchema>;

const GroupsSchema = z.object({ groups: z.array(FilterGroupSchema).max(FILTER_GROUPS_MAX) });

/**
 * Criteria: `{groups:[…]}`. Upstream basic criteria (an array of conditions, or `{conditions:[…]}`)
 * become one AND group; null or `{}` match every device.
 */
export const FilterCriteriaSchema = z.preprocess((raw) => {
  if (raw === null || raw === undefined) return { groups: [] };
  if (Array.isArray(raw)) return { groups: raw.length ? [{ join_with: 'OR', conditions: raw }] : [] };
  if (typeof raw === 'object' && !('groups' in raw)) {
    const conditions = (raw as { conditions?: unknown }).conditions;
    return { groups: Array.isArray(conditions) && conditions.length ? [{ conditions }] : [] };
  }
  return raw;
}, GroupsSchema);
export type FilterCriteria = z.infer<typeof GroupsSchema>;

/** Criteria as stored and answered (normalised: joins upper-case). */
export const StoredCriteriaSchema = z.object({
  groups: z.array(
    z.object({
      join_with: z.enum(FILTER_JOINS).optional(),
      conditions: z.array(FilterConditionSchema.extend({ join_with: z.enum(FILTER_JOINS).optional() })),
    }),
  ),
});

export const FILTER_SITE_MODES = ['global', 'specific_sites', 'global_exclusions'] as const;
export const FilterSiteModeSchema = z.enum(FILTER_SITE_MODES);
export type FilterSiteMode = z.infer<typeof FilterSiteModeSchema>;

export const DeviceFilterSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    archived: z.boolean(),
    site_mode: FilterSiteModeSchema,
    /** The sites of `specific_sites` (included) or `global_exclusions` (excluded). */
    site_ids: z.array(z.number().int()),
    criteria: StoredCriteriaSchema,
    created_by_user_id: z.string().nullable(),
    last_edited_by: z.string().nullable(),
    version: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'DeviceFilter' });
export type DeviceFilter = z.infer<typeof DeviceFilterSchema>;

export const DeviceFilterListSchema = z.object({ filters: z.array(DeviceFilterSchema) }).meta({ id: 'DeviceFilterList' });
export type DeviceFilterList = z.infer<typeof DeviceFilterListSchema>;

export const DeviceFilterListQuerySchema = z.object({
  /** `false` (default) active only, `true` archived only, `all` both. */
  archived: z.enum(['true', 'false', 'all']).default('false'),
});

export const DeviceFilterSearchQuerySchema = z.object({
  q: z.string().trim().min(1).max(256),
  include_archived: z.enum(['true', 'false']).default('false'),
});

const siteIds = z.array(z.number().int().positive().max(2_147_483_647)).max(1000);

const FilterBody = {
  name: z.string().trim().min(1, 'is required').max(128, 'must be at most 128 characters'),
  description: z.string().trim().max(1024).nullable().optional(),
  site_mode: FilterSiteModeSchema.default('global'),
  site_ids: siteIds.default([]),
  criteria: FilterCriteriaSchema,
};

export const CreateDeviceFilterRequestSchema = z.strictObject(FilterBody);
export type CreateDeviceFilterRequest = z.input<typeof CreateDeviceFilterRequestSchema>;

/** PUT replaces the document; send the current `version` as `If-Match` (or in the body). */
export const UpdateDeviceFilterRequestSchema = z.strictObject({ ...FilterBody, version: z.number().int().positive().optional() });
export type UpdateDeviceFilterRequest = z.input<typeof UpdateDeviceFilterRequestSchema>;

export const CloneDeviceFilterRequestSchema = z.strictObject({ name: FilterBody.name.optional() });

export const FilterIdParamsSchema = z.object({ filter_id: z.coerce.number().int().positive().max(2_147_483_647) });

export const DeviceFilterPreviewRequestSchema = z.strictObject({
  site_mode: FilterSiteModeSchema.default('global'),
  site_ids: siteIds.default([]),
  criteria: FilterCriteriaSchema,
  limit: z.number().int().min(1).max(FILTER_PREVIEW_MAX).default(FILTER_PREVIEW_MAX),
});
export type DeviceFilterPreviewRequest = z.input<typeof DeviceFilterPreviewRequestSchema>;

/** Matching devices in the caller's scope: the total and the first ≤100 by hostname. */
export const DeviceFilterPreviewSchema = z.object({ count: z.number().int(), devices: z.array(DeviceListItemSchema) }).meta({ id: 'DeviceFilterPreview' });
export type DeviceFilterPreview = z.infer<typeof DeviceFilterPreviewSchema>;

export const DeviceFilterUsageSchema = z.object({
  filter_id: z.number().int(),
  scheduled_jobs: z.array(z.object({ id: z.number().int(), name: z.string(), enabled: z.boolean() })),
});
export type DeviceFilterUsage = z.infer<typeof DeviceFilterUsageSchema>;

/** GET /api/device_filters/metadata: what the editor offers. */
export const DeviceFilterEditorMetadataSchema = z.object({
  fields: z.array(
    z.object({
      field: z.string(),
      label: z.string(),
      kind: z.enum(['text', 'number', 'status', 'software', 'metadata']),
      operators: z.array(z.string()),
      supports_regex: z.boolean(),
      values: z.array(z.string()).optional(),
      unit: z.string().optional(),
    }),
  ),
  joins: z.array(z.string()),
  site_modes: z.array(z.string()),
  software_sources: z.array(z.string()),
  version_operators: z.array(z.string()),
  metadata_fields: z.array(z.object({ field_number: z.number().int(), label: z.string().nullable() })),
  limits: z.object({ groups: z.number().int(), conditions: z.number().int(), regex_length: z.number().int(), preview: z.number().int() }),
});
export type DeviceFilterEditorMetadata = z.infer<typeof DeviceFilterEditorMetadataSchema>;

export const DeletedDeviceFilterSchema = z.object({ id: z.number().int(), deleted: z.literal(true) });
export type DeletedDeviceFilter = z.infer<typeof DeletedDeviceFilterSchema>;
