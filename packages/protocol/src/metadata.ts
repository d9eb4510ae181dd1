// Wire shapes of device metadata fields (automation.md §7, data-model.md (e)): 500 global field
// definitions and per-device plain-text values of at most 1024 characters.

import { z } from 'zod';

export const METADATA_FIELD_COUNT = 500;
/** Fields 1-10 are reserved for the engine (422 reserved_metadata_field). */
export const RESERVED_METADATA_FIELDS = 10;
export const METADATA_VALUE_MAX = 1024;

export const MetadataFieldNumberSchema = z.coerce
  .number()
  .int('must be a whole number')
  .min(1, `must be 1-${METADATA_FIELD_COUNT}`)
  .max(METADATA_FIELD_COUNT, `must be 1-${METADATA_FIELD_COUNT}`);

export const MetadataFieldDefinitionSchema = z
  .object({
    field_number: z.number().int(),
    label: z.string().nullable(),
    description: z.string().nullable(),
    reserved: z.boolean(),
    updated_by: z.string().nullable(),
    updated_at: z.string(),
  })
  .meta({ id: 'MetadataFieldDefinition' });
export type MetadataFieldDefinition = z.infer<typeof MetadataFieldDefinitionSchema>;

export const MetadataFieldDefinitionListSchema = z.object({ fields: z.array(MetadataFieldDefinitionSchema) });
export type MetadataFieldDefinitionList = z.infer<typeof MetadataFieldDefinitionListSchema>;

export const UpdateMetadataFieldRequestSchema = z
  .strictObject({
    label: z.string().trim().max(128, 'must be at most 128 characters').nullable().optional(),
    description: z.string().trim().max(1024, 'must be at most 1024 characters').nullable().optional(),
  })
  .refine((b) => b.label !== undefined || b.description !== undefined, 'send label or description');
export type UpdateMetadataFieldRequest = z.infer<typeof UpdateMetadataFieldRequestSchema>;

export const MetadataFieldParamsSchema = z.object({ field_number: MetadataFieldNumberSchema });

/** One of the 500 rows of a device; `value` is '' and the rest null when unset. */
export const DeviceMetadataValueSchema = z.object({
  field_number: z.number().int(),
  label: z.string().nullable(),
  value: z.string(),
  modified_at: z.string().nullable(),
  source: z.enum(['engine', 'agent']).nullable(),
  actor: z.string().nullable(),
});
export type DeviceMetadataValue = z.infer<typeof DeviceMetadataValueSchema>;

export const DeviceMetadataListSchema = z.object({ device_guid: z.string(), fields: z.array(DeviceMetadataValueSchema) }).meta({ id: 'DeviceMetadataList' });
export type DeviceMetadataList = z.infer<typeof DeviceMetadataListSchema>;

/** Blank (or only spaces, or null) clears the value. */
export const SetDeviceMetadataRequestSchema = z.strictObject({
  value: z.string().max(METADATA_VALUE_MAX, `must be at most ${METADATA_VALUE_MAX} characters`).nullable(),
});
export type SetDeviceMetadataRequest = z.infer<typeof SetDeviceMetadataRequestSchema>;

export const DeviceMetadataParamsSchema = z.object({ device_id: z.string().min(1).max(253), field_number: MetadataFieldNumberSchema });
export const DeviceMetadataDeviceParamsSchema = z.object({ device_id: z.string().min(1).max(253) });
