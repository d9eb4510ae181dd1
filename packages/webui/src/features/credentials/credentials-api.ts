// Calls to the credential store (security.md §3.5). Secrets only ever go in; answers carry `has_*`
// flags. Changes are sensitive (†): callers run them through useStepUp().
import {
  type CreateCredentialRequest,
  CredentialListSchema,
  CredentialSchema,
  type UpdateCredentialRequest,
} from '@borealis/protocol';
import { getJson, NO_CONTENT, type RequestOptions, sendJson } from '../../shared/api-client';

export const listCredentials = (options?: RequestOptions) => getJson('/api/credentials', CredentialListSchema, options);

export const getCredential = (id: number, options?: RequestOptions) =>
  getJson(`/api/credentials/${id}`, CredentialSchema, options);

export const createCredential = (body: CreateCredentialRequest) =>
  sendJson('POST', '/api/credentials', body, CredentialSchema);

/** `version` goes as If-Match: a credential changed meanwhile answers 409 version_conflict. */
export const updateCredential = (id: number, body: UpdateCredentialRequest, version: number) =>
  sendJson('PUT', `/api/credentials/${id}`, body, CredentialSchema, { headers: { 'if-match': `"${version}"` } });

export const deleteCredential = (id: number) => sendJson('DELETE', `/api/credentials/${id}`, undefined, NO_CONTENT);
