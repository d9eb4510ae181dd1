// Human names for the credential enums and secret fields, shared by the table and the form.
import { type Credential, CREDENTIAL_SECRET_FIELDS, type CredentialSecretField } from '@borealis/protocol';

export const CREDENTIAL_TYPE_LABELS: Readonly<Record<Credential['credential_type'], string>> = {
  machine: 'Machine',
  domain: 'Domain',
  token: 'Token',
};

export const CONNECTION_TYPE_LABELS: Readonly<Record<Credential['connection_type'], string>> = {
  ssh: 'SSH',
  windows: 'Windows',
  winrm: 'WinRM',
};

export const SECRET_LABELS: Readonly<Record<CredentialSecretField, string>> = {
  password: 'Password',
  private_key: 'Private key',
  private_key_passphrase: 'Key passphrase',
  become_password: 'Become password',
};

/** Whether the engine holds a value for `field` (the `has_*` flag). */
export function hasSecret(credential: Credential, field: CredentialSecretField): boolean {
  switch (field) {
    case 'password':
      return credential.has_password;
    case 'private_key':
      return credential.has_private_key;
    case 'private_key_passphrase':
      return credential.has_private_key_passphrase;
    case 'become_password':
      return credential.has_become_password;
  }
}

/** A lost field's label; unknown names (a newer engine) are shown as sent. */
export function secretLabel(field: string): string {
  const known = CREDENTIAL_SECRET_FIELDS.find((f) => f === field);
  return known ? SECRET_LABELS[known] : field;
}
