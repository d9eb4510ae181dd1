// Calls to the engine's passkey routes (security.md §4.6), one function each. @borealis/protocol has
// no passkey schemas yet, so the answers are checked by the small guards below.
import { SignedInSchema } from '@borealis/protocol';
import { type BodySchema, getJson, NO_CONTENT, type RequestOptions, sendJson } from '../../shared/api-client';
import { isRecord } from '../../shared/is-record';
import type { AuthenticationResponseJson, RegistrationResponseJson } from './webauthn-json';

/** The engine keeps at most this many passkeys per user (422 passkey_limit). */
export const MAX_PASSKEYS = 10;
/** Passkey names are 1–64 characters. */
export const PASSKEY_LABEL_MAX = 64;

export interface Passkey {
  readonly id: string;
  readonly label: string;
  readonly created_at: string;
  readonly last_used_at: string | null;
  readonly transports: readonly string[];
}

/** A ceremony's start: the challenge's id and the WebAuthn options JSON, converted by webauthn-json. */
export interface PasskeyOptions {
  readonly challenge_id: string;
  readonly options: unknown;
}

export interface PasskeyRegistered {
  readonly passkey_count: number;
  readonly passkey: Passkey;
}

export const listPasskeys = (options?: RequestOptions) =>
  getJson('/api/auth/passkeys', guard((v) => (isRecord(v) && Array.isArray(v.passkeys) ? listOf(v.passkeys, passkeyOf) : undefined)), options);

export const startPasskeyRegistration = () => sendJson('POST', '/api/auth/passkeys/register/options', {}, OPTIONS);

export const finishPasskeyRegistration = (body: { challenge_id: string; response: RegistrationResponseJson; label?: string }) =>
  sendJson('POST', '/api/auth/passkeys/register/verify', body, REGISTERED);

/** Without a ticket the engine asks for any passkey of this site (discoverable); with one, the user's. */
export const startPasskeySignIn = (pendingToken?: string) =>
  sendJson('POST', '/api/auth/passkeys/authenticate/options', pendingToken ? { pending_token: pendingToken } : {}, OPTIONS);

export const finishPasskeySignIn = (body: { challenge_id: string; response: AuthenticationResponseJson; pending_token?: string }) =>
  sendJson('POST', '/api/auth/passkeys/authenticate/verify', body, SignedInSchema);

export const renamePasskey = (id: string, label: string) =>
  sendJson('PATCH', `/api/auth/passkeys/${encodeURIComponent(id)}`, { label }, guard(passkeyOf));

export const removePasskey = (id: string) =>
  sendJson('DELETE', `/api/auth/passkeys/${encodeURIComponent(id)}`, undefined, NO_CONTENT);

const OPTIONS = guard<PasskeyOptions>((v) =>
  isRecord(v) && typeof v.challenge_id === 'string' && isRecord(v.options) ? { challenge_id: v.challenge_id, options: v.options } : undefined,
);

const REGISTERED = guard<PasskeyRegistered>((v) => {
  if (!isRecord(v) || typeof v.passkey_count !== 'number' || !isRecord(v.passkey)) return undefined;
  // The register answer leaves out last_used_at: a new passkey has not been used.
  const passkey = passkeyOf({ last_used_at: null, ...v.passkey });
  return passkey && { passkey_count: v.passkey_count, passkey };
});

function passkeyOf(v: unknown): Passkey | undefined {
  if (!isRecord(v)) return undefined;
  const { id, label, created_at, last_used_at, transports } = v;
  if (typeof id !== 'string' || typeof label !== 'string' || typeof created_at !== 'string') return undefined;
  if (last_used_at !== null && typeof last_used_at !== 'string') return undefined;
  const names = Array.isArray(transports) ? listOf(transports, (t) => (typeof t === 'string' ? t : undefined)) : undefined;
  return names && { id, label, created_at, last_used_at, transports: names };
}

/** Every item parsed, or undefined when one does not parse. */
function listOf<T>(items: readonly unknown[], parse: (item: unknown) => T | undefined): T[] | undefined {
  const parsed: T[] = [];
  for (const item of items) {
    const value = parse(item);
    if (value === undefined) return undefined;
    parsed.push(value);
  }
  return parsed;
}

function guard<T>(parse: (value: unknown) => T | undefined): BodySchema<T> {
  return {
    safeParse: (value) => {
      const data = parse(value);
      return data === undefined ? { success: false } : { success: true, data };
    },
  };
}
