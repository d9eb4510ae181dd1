// Calls to the engine's device routes (routes.tsv group `devices`), answers checked against the
// protocol schemas.
import {
  type DeviceActionResult,
  DeviceActionResultSchema,
  DeviceDetailsSchema,
  DeviceListSchema,
  type DevicePurgeResult,
  DevicePurgeResultSchema,
  DeviceSchema,
} from '@borealis/protocol';
import { getJson, type RequestOptions, sendJson } from '../../shared/api-client';
import { apiParamsOf, type DeviceListQuery } from './device-list-query';

/** Rows per page: a screenful several times over, so scrolling rarely waits. */
export const DEVICE_PAGE_SIZE = 100;

export function listDevices(query: DeviceListQuery, cursor: string | undefined, options?: RequestOptions) {
  const params = apiParamsOf(query);
  params.set('limit', String(DEVICE_PAGE_SIZE));
  if (cursor) params.set('cursor', cursor);
  return getJson(`/api/devices?${params.toString()}`, DeviceListSchema, options);
}

export const getDevice = (guid: string, options?: RequestOptions) =>
  getJson(`/api/devices/${encodeURIComponent(guid)}`, DeviceSchema, options);

/** The device with its inventory sections; `{}` when it is unknown or outside the caller's sites. */
export const getDeviceDetails = (hostname: string, options?: RequestOptions) =>
  getJson(`/api/device/details/${encodeURIComponent(hostname)}`, DeviceDetailsSchema, options);

export const setDeviceDescription = (hostname: string, description: string | null) =>
  sendJson('POST', `/api/device/description/${encodeURIComponent(hostname)}`, { description }, DeviceSchema.or(DeviceDetailsSchema));

export type DeviceAction = 'quarantine' | 'unquarantine' | 'revoke' | 'retire' | 'purge';

/** Quarantine, unquarantine and revoke are POSTs; retire is DELETE /api/devices/:guid. */
export function runDeviceAction(action: Exclude<DeviceAction, 'purge'>, guid: string, reason?: string): Promise<DeviceActionResult> {
  const path = `/api/devices/${encodeURIComponent(guid)}`;
  const body = reason ? { reason } : {};
  if (action === 'retire') return sendJson('DELETE', path, undefined, DeviceActionResultSchema);
  return sendJson('POST', `${path}/${action}`, body, DeviceActionResultSchema);
}

export const purgeDevice = (guid: string): Promise<DevicePurgeResult> =>
  sendJson('POST', `/api/devices/${encodeURIComponent(guid)}/purge`, {}, DevicePurgeResultSchema);
