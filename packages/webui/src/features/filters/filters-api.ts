// Calls to the engine's device-filter routes (routes.tsv group `filters`), answers checked against
// the protocol schemas. Saving sends the version it edited as If-Match (409 version_conflict if stale).
import {
  type CreateDeviceFilterRequest,
  DeletedDeviceFilterSchema,
  DeviceFilterEditorMetadataSchema,
  DeviceFilterListSchema,
  type DeviceFilterPreviewRequest,
  DeviceFilterPreviewSchema,
  DeviceFilterSchema,
  DeviceFilterUsageSchema,
  type UpdateDeviceFilterRequest,
} from '@borealis/protocol';
import { getJson, type RequestOptions, sendJson } from '../../shared/api-client';

const BASE = '/api/device_filters';

export const listFilters = (archived: 'true' | 'false' | 'all', options?: RequestOptions) =>
  getJson(`${BASE}?archived=${archived}`, DeviceFilterListSchema, options);

export const getFilter = (id: number, options?: RequestOptions) => getJson(`${BASE}/${id}`, DeviceFilterSchema, options);

export const getFilterMetadata = (options?: RequestOptions) => getJson(`${BASE}/metadata`, DeviceFilterEditorMetadataSchema, options);

export const getFilterUsage = (id: number, options?: RequestOptions) => getJson(`${BASE}/${id}/usage`, DeviceFilterUsageSchema, options);

export const previewFilter = (body: DeviceFilterPreviewRequest, options?: RequestOptions) =>
  sendJson('POST', `${BASE}/preview`, body, DeviceFilterPreviewSchema, options);

export const createFilter = (body: CreateDeviceFilterRequest) => sendJson('POST', BASE, body, DeviceFilterSchema);

export const updateFilter = (id: number, version: number, body: UpdateDeviceFilterRequest) =>
  sendJson('PUT', `${BASE}/${id}`, body, DeviceFilterSchema, { headers: { 'if-match': String(version) } });

export const cloneFilter = (id: number, name?: string) => sendJson('POST', `${BASE}/${id}/clone`, name ? { name } : {}, DeviceFilterSchema);

export const setFilterArchived = (id: number, isArchived: boolean) =>
  sendJson('POST', `${BASE}/${id}/${isArchived ? 'archive' : 'unarchive'}`, {}, DeviceFilterSchema);

export const deleteFilter = (id: number) => sendJson('DELETE', `${BASE}/${id}`, undefined, DeletedDeviceFilterSchema);
