// The credential form's values and how they become a create body or a minimal update body: plain
// fields are sent when changed, secrets when typed (a string) or cleared (null), never otherwise.
import {
  type CreateCredentialRequest,
  type Credential,
  CREDENTIAL_SECRET_FIELDS,
  type CredentialSecretField,
  type UpdateCredentialRequest,
} from '@borealis/protocol';

export interface PlainValues {
  readonly name: string;
  readonly description: string;
  /** '' for no site. */
  readonly siteId: string;
  readonly credentialType: Credential['credential_type'];
  readonly connectionType: Credential['connection_type'];
  readonly username: string;
  readonly becomeMethod: string;
  readonly becomeUsername: string;
}

export type SecretValues = Readonly<Record<CredentialSecretField, string>>;
export type SecretClears = Readonly<Record<CredentialSecretField, boolean>>;

export const NO_SECRETS: SecretValues = { password: '', private_key: '', private_key_passphrase: '', become_password: '' };
export const NO_CLEARS: SecretClears = { password: false, private_key: false, private_key_passphrase: false, become_password: false };

export function plainValuesOf(credential: Credential | null): PlainValues {
  return {
    name: credential?.name ?? '',
    description: credential?.description ?? '',
    siteId: credential === null || credential.site_id === null ? '' : String(credential.site_id),
    credentialType: credential?.credential_type ?? 'machine',
    connectionType: credential?.connection_type ?? 'ssh',
    username: credential?.username ?? '',
    becomeMethod: credential?.become_method ?? '',
    becomeUsername: credential?.become_username ?? '',
  };
}

const orNull = (text: string) => (text.trim() === '' ? null : text.trim());

function wirePlain(values: PlainValues) {
  return {
    name: values.name.trim(),
    description: orNull(values.description),
    site_id: values.siteId === '' ? null : Number(values.siteId),
    credential_type: values.credentialType,
    connection_type: values.connectionType,
    username: orNull(values.username),
    become_method: orNull(values.becomeMethod),
    become_username: orNull(values.becomeUsername),
  };
}

export function createBody(values: PlainValues, secrets: SecretValues): CreateCredentialRequest {
  const body: CreateCredentialRequest = { ...wirePlain(values) };
  for (const field of CREDENTIAL_SECRET_FIELDS) if (secrets[field] !== '') body[field] = secrets[field];
  return body;
}

/** Only what changed; an empty object means there is nothing to save. */
export function updateBody(
  original: Credential,
  values: PlainValues,
  secrets: SecretValues,
  clears: SecretClears,
): UpdateCredentialRequest {
  const before = wirePlain(plainValuesOf(original));
  const after = wirePlain(values);
  const body: UpdateCredentialRequest = {};
  const changed = <K extends keyof typeof after>(key: K) => before[key] !== after[key];
  if (changed('name')) body.name = after.name;
  if (changed('description')) body.description = after.description;
  if (changed('site_id')) body.site_id = after.site_id;
  if (changed('credential_type')) body.credential_type = after.credential_type;
  if (changed('connection_type')) body.connection_type = after.connection_type;
  if (changed('username')) body.username = after.username;
  if (changed('become_method')) body.become_method = after.become_method;
  if (changed('become_username')) body.become_username = after.become_username;
  for (const field of CREDENTIAL_SECRET_FIELDS) {
    if (clears[field]) body[field] = null;
    else if (secrets[field] !== '') body[field] = secrets[field];
  }
  return body;
}
