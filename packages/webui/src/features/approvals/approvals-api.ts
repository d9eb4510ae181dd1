// Calls to the engine's approval routes (routes.tsv group `approvals`), answers checked against the protocol.
import {
  type ApproveDeviceRequest,
  type DenyDeviceRequest,
  type DeviceApprovalListQuery,
  DeviceApprovalListSchema,
  DeviceApprovalSchema,
} from '@borealis/protocol';
import { getJson, type RequestOptions, sendJson } from '../../shared/api-client';

export type ApprovalListParams = Partial<Pick<DeviceApprovalListQuery, 'status' | 'cursor' | 'limit'>>;

export function listApprovals(params: ApprovalListParams, options?: RequestOptions) {
  const query = new URLSearchParams();
  if (params.status) query.set('status', params.status);
  if (params.cursor) query.set('cursor', params.cursor);
  if (params.limit) query.set('limit', String(params.limit));
  const qs = query.toString();
  return getJson(`/api/admin/device-approvals${qs ? `?${qs}` : ''}`, DeviceApprovalListSchema, options);
}

export const approveDevice = (id: string, body: ApproveDeviceRequest) =>
  sendJson('POST', `/api/admin/device-approvals/${id}/approve`, body, DeviceApprovalSchema);

export const denyDevice = (id: string, body: DenyDeviceRequest) =>
  sendJson('POST', `/api/admin/device-approvals/${id}/deny`, body, DeviceApprovalSchema);
