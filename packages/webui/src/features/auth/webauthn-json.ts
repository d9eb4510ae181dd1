// WebAuthn options from the engine (JSON with base64url fields, as @simplewebauthn/server builds them)
// into what navigator.credentials takes, and the credential it returns back into that JSON.
import { isRecord } from '../../shared/is-record';
import { base64UrlToBuffer, bufferToBase64Url } from './base64url';

/** The RegistrationResponseJSON shape the engine verifies. */
export interface RegistrationResponseJson {
  readonly id: string;
  readonly rawId: string;
  readonly type: 'public-key';
  readonly response: { readonly clientDataJSON: string; readonly attestationObject: string; readonly transports: string[] };
  readonly clientExtensionResults: AuthenticationExtensionsClientOutputs;
  readonly authenticatorAttachment?: string;
}

/** The AuthenticationResponseJSON shape the engine verifies. */
export interface AuthenticationResponseJson {
  readonly id: string;
  readonly rawId: string;
  readonly type: 'public-key';
  readonly response: {
    readonly clientDataJSON: string;
    readonly authenticatorData: string;
    readonly signature: string;
    readonly userHandle?: string;
  };
  readonly clientExtensionResults: AuthenticationExtensionsClientOutputs;
  readonly authenticatorAttachment?: string;
}

const TRANSPORTS: readonly AuthenticatorTransport[] = ['ble', 'hybrid', 'internal', 'nfc', 'usb'];
const REQUIREMENTS = ['discouraged', 'preferred', 'required'] as const;

/** Creation options for navigator.credentials.create(); throws a TypeError on a malformed answer. */
export function creationOptionsFromJson(json: unknown): PublicKeyCredentialCreationOptions {
  if (!isRecord(json) || typeof json.challenge !== 'string' || !isRecord(json.rp) || !isRecord(json.user)) {
    throw new TypeError('The engine sent passkey options this WebUI does not understand');
  }
  const { rp, user } = json;
  if (typeof rp.name !== 'string' || typeof user.id !== 'string' || typeof user.name !== 'string') {
    throw new TypeError('The engine sent passkey options without a relying party or user');
  }
  const selection = isRecord(json.authenticatorSelection) ? json.authenticatorSelection : {};
  const residentKey = oneOf(selection.residentKey, REQUIREMENTS);
  return {
    challenge: base64UrlToBuffer(json.challenge),
    rp: { name: rp.name, ...(typeof rp.id === 'string' ? { id: rp.id } : {}) },
    user: { id: base64UrlToBuffer(user.id), name: user.name, displayName: typeof user.displayName === 'string' ? user.displayName : user.name },
    pubKeyCredParams: (Array.isArray(json.pubKeyCredParams) ? json.pubKeyCredParams : []).flatMap((p: unknown) =>
      isRecord(p) && typeof p.alg === 'number' && p.type === 'public-key' ? [{ alg: p.alg, type: 'public-key' as const }] : [],
    ),
    excludeCredentials: descriptorsFromJson(json.excludeCredentials),
    authenticatorSelection: {
      authenticatorAttachment: oneOf(selection.authenticatorAttachment, ['platform', 'cross-platform']),
      residentKey,
      // Level 1 browsers know only the boolean.
      requireResidentKey: selection.requireResidentKey === true || residentKey === 'required',
      userVerification: oneOf(selection.userVerification, REQUIREMENTS),
    },
    attestation: oneOf(json.attestation, ['none', 'indirect', 'direct', 'enterprise']),
    timeout: typeof json.timeout === 'number' ? json.timeout : undefined,
    extensions: isRecord(json.extensions) && json.extensions.credProps === true ? { credProps: true } : undefined,
  };
}

/** Request options for navigator.credentials.get(); throws a TypeError on a malformed answer. */
export function requestOptionsFromJson(json: unknown): PublicKeyCredentialRequestOptions {
  if (!isRecord(json) || typeof json.challenge !== 'string') {
    throw new TypeError('The engine sent passkey options this WebUI does not understand');
  }
  return {
    challenge: base64UrlToBuffer(json.challenge),
    allowCredentials: descriptorsFromJson(json.allowCredentials),
    rpId: typeof json.rpId === 'string' ? json.rpId : undefined,
    userVerification: oneOf(json.userVerification, REQUIREMENTS),
    timeout: typeof json.timeout === 'number' ? json.timeout : undefined,
  };
}

export function registrationToJson(credential: PublicKeyCredential): RegistrationResponseJson {
  const { response } = credential;
  if (!(response instanceof AuthenticatorAttestationResponse)) throw new TypeError('The browser answered without an attestation');
  return {
    id: credential.id,
    rawId: bufferToBase64Url(credential.rawId),
    type: 'public-key',
    response: {
      clientDataJSON: bufferToBase64Url(response.clientDataJSON),
      attestationObject: bufferToBase64Url(response.attestationObject),
      // Older browsers lack getTransports(); the engine then stores none.
      transports: typeof response.getTransports === 'function' ? response.getTransports() : [],
    },
    clientExtensionResults: credential.getClientExtensionResults(),
    ...(credential.authenticatorAttachment ? { authenticatorAttachment: credential.authenticatorAttachment } : {}),
  };
}

export function authenticationToJson(credential: PublicKeyCredential): AuthenticationResponseJson {
  const { response } = credential;
  if (!(response instanceof AuthenticatorAssertionResponse)) throw new TypeError('The browser answered without an assertion');
  return {
    id: credential.id,
    rawId: bufferToBase64Url(credential.rawId),
    type: 'public-key',
    response: {
      clientDataJSON: bufferToBase64Url(response.clientDataJSON),
      authenticatorData: bufferToBase64Url(response.authenticatorData),
      signature: bufferToBase64Url(response.signature),
      ...(response.userHandle ? { userHandle: bufferToBase64Url(response.userHandle) } : {}),
    },
    clientExtensionResults: credential.getClientExtensionResults(),
    ...(credential.authenticatorAttachment ? { authenticatorAttachment: credential.authenticatorAttachment } : {}),
  };
}

function descriptorsFromJson(value: unknown): PublicKeyCredentialDescriptor[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((d: unknown) => {
    if (!isRecord(d) || typeof d.id !== 'string') return [];
    const transports = Array.isArray(d.transports) ? d.transports.flatMap((t: unknown) => oneOf(t, TRANSPORTS) ?? []) : [];
    return [{ id: base64UrlToBuffer(d.id), type: 'public-key' as const, ...(transports.length ? { transports } : {}) }];
  });
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return allowed.find((candidate) => candidate === value);
}
