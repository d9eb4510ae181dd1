// Calls for a device's 500 metadata fields (routes.tsv groups `devices` and `metadata`).
import { DeviceMetadataListSchema, DeviceMetadataValueSchema, MetadataFieldDefinitionSchema } from '@borealis/protocol';
import { getJson, type RequestOptions, sendJson } from '../../shared/api-client';

export const getDeviceMetadata = (guid: string, options?: RequestOptions) =>
  getJson(`/api/devices/${encodeURIComponent(guid)}/metadata_fields`, DeviceMetadataListSchema, options);

/** Blank clears the value. */
export const setDeviceMetadata = (guid: string, fieldNumber: number, value: string) =>
  sendJson(
    'PUT',
    `/api/devices/${encodeURIComponent(guid)}/metadata_fields/${fieldNumber}`,
    { value: value.trim() === '' ? null : value },
    DeviceMetadataValueSchema,
  );

/** A field's label for every device (admins); blank removes it. */
export const setMetadataLabel = (fieldNumber: number, label: string) =>
  sendJson('PUT', `/api/metadata_fields/${fieldNumber}`, { label: label.trim() === '' ? null : label.trim() }, MetadataFieldDefinitionSchema);
