// Calls to the assemblies library (automation.md §1.4). Saves carry the revision as If-Match, so an
// assembly someone else saved meanwhile answers 409 version_conflict instead of being overwritten.
import {
  AssemblyExportSchema,
  AssemblyImportResultSchema,
  AssemblyListSchema,
  AssemblyRevisionListSchema,
  AssemblyRevisionSchema,
  AssemblySchema,
  type AssemblyWrite,
} from '@borealis/protocol';
import { getJson, NO_CONTENT, type RequestOptions, sendJson } from '../../shared/api-client';

export type AssemblyTab = 'official' | 'user';
export type ImportConflict = 'reject' | 'new_revision' | 'new_guid';

const base = '/api/assemblies';
const at = (guid: string) => `${base}/${encodeURIComponent(guid)}`;

export function listAssemblies(query: { domain: AssemblyTab; q: string; cursor?: string | null }, options?: RequestOptions) {
  const params = new URLSearchParams({ domain: query.domain, limit: '50' });
  if (query.q.trim()) params.set('q', query.q.trim());
  if (query.cursor) params.set('cursor', query.cursor);
  return getJson(`${base}?${params}`, AssemblyListSchema, options);
}

export const getAssembly = (guid: string, options?: RequestOptions) => getJson(at(guid), AssemblySchema, options);

export const createAssembly = (body: AssemblyWrite) => sendJson('POST', base, body, AssemblySchema);

export const saveAssembly = (guid: string, body: AssemblyWrite, revision: number) =>
  sendJson('PUT', at(guid), body, AssemblySchema, { headers: { 'if-match': `"${revision}"` } });

export const deleteAssembly = (guid: string) => sendJson('DELETE', at(guid), undefined, NO_CONTENT);

export const cloneAssembly = (guid: string) => sendJson('POST', `${at(guid)}/clone`, {}, AssemblySchema);

export const listRevisions = (guid: string, options?: RequestOptions) => getJson(`${at(guid)}/revisions`, AssemblyRevisionListSchema, options);

export const getRevision = (guid: string, n: number, options?: RequestOptions) => getJson(`${at(guid)}/revisions/${n}`, AssemblyRevisionSchema, options);

export const restoreRevision = (guid: string, n: number, revision: number) =>
  sendJson('POST', `${at(guid)}/revisions/${n}/restore`, {}, AssemblySchema, { headers: { 'if-match': `"${revision}"` } });

export const exportAssembly = (guid: string, revision?: number) =>
  getJson(`${at(guid)}/export${revision === undefined ? '' : `?revision=${revision}`}`, AssemblyExportSchema);

export const importAssembly = (document: unknown, onConflict: ImportConflict) =>
  sendJson('POST', `${base}/import?on_conflict=${onConflict}`, document, AssemblyImportResultSchema);
