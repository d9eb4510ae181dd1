// Calls to the Aegis administration routes (security.md §3.6-§3.7). The rotate and force-reset
// answers have no protocol schema yet, so their shape is checked here, structurally.
import { AegisStatusSchema } from '@borealis/protocol';
import { type BodySchema, getJson, type RequestOptions, sendJson } from '../../shared/api-client';
import { isRecord } from '../../shared/is-record';

export const FORCE_RESET_PHRASE = 'FORCE RESET';

export type RotateAnswer =
  | { readonly status: 'ok'; readonly rotation: null }
  | { readonly status: 'started'; readonly rotation: { readonly id: string; readonly state: string; readonly total: number; readonly done: number } };

export interface ForceResetAnswer {
  readonly affected_users: number;
  readonly affected_credentials: number;
  readonly revoked_sessions: number;
}

const RotateAnswerSchema: BodySchema<RotateAnswer> = {
  safeParse(input) {
    if (!isRecord(input)) return { success: false };
    if (input.status === 'ok' && input.rotation === null) return { success: true, data: { status: 'ok', rotation: null } };
    const r = input.rotation;
    if (
      input.status === 'started' &&
      isRecord(r) &&
      typeof r.id === 'string' &&
      typeof r.state === 'string' &&
      typeof r.total === 'number' &&
      typeof r.done === 'number'
    ) {
      return { success: true, data: { status: 'started', rotation: { id: r.id, state: r.state, total: r.total, done: r.done } } };
    }
    return { success: false };
  },
};

const ForceResetAnswerSchema: BodySchema<ForceResetAnswer> = {
  safeParse(input) {
    if (
      isRecord(input) &&
      typeof input.affected_users === 'number' &&
      typeof input.affected_credentials === 'number' &&
      typeof input.revoked_sessions === 'number'
    ) {
      const { affected_users, affected_credentials, revoked_sessions } = input;
      return { success: true, data: { affected_users, affected_credentials, revoked_sessions } };
    }
    return { success: false };
  },
};

export const getAegisStatus = (options?: RequestOptions) => getJson('/api/aegis/status', AegisStatusSchema, options);

export const rotateAegis = (body: { current_cipher: string; new_cipher?: string; rotate_data_key: boolean }) =>
  sendJson('POST', '/api/aegis/rotate', body, RotateAnswerSchema);

export const forceResetAegis = (body: { confirm: string; password: string }) =>
  sendJson('POST', '/api/aegis/force_reset', body, ForceResetAnswerSchema);
