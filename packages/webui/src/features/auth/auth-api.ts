// Calls to the engine's bootstrap and sign-in routes (security.md §2, §4, §5), one function each,
// with the answers checked against the protocol schemas.
import {
  BootstrapStateSchema,
  LoginResponseSchema,
  MeSchema,
  MfaSetupTicketSchema,
  RecoveryCodesSchema,
  SessionListSchema,
  SignedInSchema,
  StepUpResponseSchema,
  TotpEnrolmentSchema,
} from '@borealis/protocol';
import { getJson, NO_CONTENT, sendJson, type RequestOptions } from '../../shared/api-client';

export const getBootstrapState = (options?: RequestOptions) =>
  getJson('/api/bootstrap/state', BootstrapStateSchema, options);

export const setupAegis = (body: { cipher: string; setup_token: string }) =>
  sendJson('POST', '/api/bootstrap/aegis/setup', body, BootstrapStateSchema);

export const unlockAegis = (body: { cipher: string }) =>
  sendJson('POST', '/api/bootstrap/aegis/unlock', body, BootstrapStateSchema);

export const setupFirstAdmin = (body: {
  username: string;
  display_name?: string;
  password: string;
  setup_token: string;
}) => sendJson('POST', '/api/bootstrap/admin/setup', body, MfaSetupTicketSchema);

export const recoverAdmin = (body: { username: string; password: string; setup_token: string }) =>
  sendJson('POST', '/api/bootstrap/admin/recover', body, MfaSetupTicketSchema);

export const verifyBootstrapAdmin = (body: { pending_token: string; code: string; setup_token: string }) =>
  sendJson('POST', '/api/bootstrap/admin/mfa/verify', body, SignedInSchema);

export const getMe = (options?: RequestOptions) => getJson('/api/auth/me', MeSchema, options);

export const login = (body: { username: string; password: string }) =>
  sendJson('POST', '/api/auth/login', body, LoginResponseSchema);

/** A second factor: one of a TOTP code or a recovery code (or, for an exempt user, the password). */
export type SecondFactor = { code: string } | { recovery_code: string } | { password: string };

export const verifyTicket = (pendingToken: string, factor: SecondFactor) =>
  sendJson('POST', '/api/auth/mfa/verify', { pending_token: pendingToken, ...factor }, SignedInSchema);

/** Step-up: the same route without a ticket refreshes the session's second-factor check. */
export const stepUp = (factor: SecondFactor) =>
  sendJson('POST', '/api/auth/mfa/verify', factor, StepUpResponseSchema);

/** Starts TOTP enrolment, behind an `mfa_setup` ticket or for the signed-in user. */
export const startTotpSetup = (pendingToken?: string) =>
  sendJson('POST', '/api/auth/mfa/totp/setup', pendingToken ? { pending_token: pendingToken } : {}, TotpEnrolmentSchema);

export const confirmTotpWithTicket = (pendingToken: string, code: string) =>
  sendJson('POST', '/api/auth/mfa/totp/confirm', { pending_token: pendingToken, code }, SignedInSchema);

export const confirmTotp = (code: string) =>
  sendJson('POST', '/api/auth/mfa/totp/confirm', { code }, RecoveryCodesSchema);

export const resetMfa = () => sendJson('POST', '/api/auth/mfa/reset', {}, NO_CONTENT);

export const regenerateRecoveryCodes = () => sendJson('POST', '/api/auth/recovery-codes', {}, RecoveryCodesSchema);

export const logout = () => sendJson('POST', '/api/auth/logout', {}, NO_CONTENT);

export const changePassword = (body: { current_password: string; new_password: string }) =>
  sendJson('POST', '/api/auth/password/reset', body, NO_CONTENT);

export const listSessions = (options?: RequestOptions) => getJson('/api/auth/sessions', SessionListSchema, options);

export const revokeSession = (id: string) =>
  sendJson('DELETE', `/api/auth/sessions/${encodeURIComponent(id)}`, undefined, NO_CONTENT);
