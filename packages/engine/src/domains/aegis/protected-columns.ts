// The registry of Aegis-protected columns (security.md §3.5): drives rotation, force reset and the
// plaintext scan test. A migration adding an `_enc` column must extend this list.

export interface ProtectedColumn {
  readonly table: string;
  readonly column: string;
  /** The single-column primary key that forms the associated data. */
  readonly pk: string;
}

export const PROTECTED_COLUMNS: readonly ProtectedColumn[] = Object.freeze([
  { table: 'users', column: 'password_hash_enc', pk: 'id' },
  { table: 'users', column: 'totp_secret_enc', pk: 'id' },
  { table: 'users', column: 'totp_pending_secret_enc', pk: 'id' },
  { table: 'user_passkeys', column: 'public_key_enc', pk: 'id' },
  { table: 'credentials', column: 'password_enc', pk: 'id' },
  { table: 'credentials', column: 'private_key_enc', pk: 'id' },
  { table: 'credentials', column: 'private_key_passphrase_enc', pk: 'id' },
  { table: 'credentials', column: 'become_password_enc', pk: 'id' },
  { table: 'signing_keys', column: 'private_key_enc', pk: 'key_id' },
  { table: 'sites', column: 'enrollment_code_enc', pk: 'id' },
]);
