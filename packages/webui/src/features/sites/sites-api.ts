// Calls to the engine's site routes (routes.tsv group `sites`), answers checked against the protocol.
import {
  type CreateSiteRequest,
  DeletedSitesSchema,
  type RotateEnrollmentCodeRequest,
  SiteListSchema,
  SiteSchema,
} from '@borealis/protocol';
import { getJson, type RequestOptions, sendJson } from '../../shared/api-client';

export const listSites = (options?: RequestOptions) => getJson('/api/sites', SiteListSchema, options);

export const createSite = (body: CreateSiteRequest) => sendJson('POST', '/api/sites', body, SiteSchema);

export const renameSite = (id: number, newName: string) =>
  sendJson('POST', '/api/sites/rename', { id, new_name: newName }, SiteSchema);

export const deleteSites = (ids: readonly number[]) =>
  sendJson('POST', '/api/sites/delete', { ids }, DeletedSitesSchema);

export const rotateEnrollmentCode = (id: number, body: RotateEnrollmentCodeRequest) =>
  sendJson('POST', `/api/sites/${id}/enrollment-code/rotate`, body, SiteSchema);

/** A future instant opens the window; null closes it. */
export const setAutoApproval = (id: number, until: string | null) =>
  sendJson('POST', `/api/sites/${id}/auto-approval`, { auto_approve_until: until }, SiteSchema);
