// The Kysely `Database` interface: every table of schema `engine`, columns snake_case as stored.

import type { ColumnType, Generated } from 'kysely';

/** timestamptz: read as Date, written as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb: read parsed, written as a JSON string. */
export type Json<T = unknown> = ColumnType<T, string, string>;
export type NullableJson<T = unknown> = ColumnType<T | null, string | null | undefined, string | null>;
/** bigint columns come back as strings from node-postgres and PGlite alike. */
export type BigIntColumn = ColumnType<string, number | bigint | string, number | bigint | string>;
export type NullableBigInt = ColumnType<string | null, number | bigint | string | null | undefined, number | bigint | string | null>;

export interface ServerSettingsTable {
  key: string;
  value: Json;
  version: Generated<number>;
  updated_by_user_id: string | null;
  updated_at: Timestamp;
}

export interface EngineBootstrapTable {
  id: number;
  setup_token_hash: Buffer;
  issued_at: Timestamp;
  consumed_at: NullableTimestamp;
}

export interface AegisCipherStateTable {
  id: number;
  kdf_name: Generated<string>;
  kdf_params: Json;
  verification_token: string;
  active_key_id: string;
  unlock_epoch: ColumnType<string, number | string | undefined, number | string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AegisDataKeysTable {
  key_id: string;
  wrapped_key: string | null;
  state: 'active' | 'retiring' | 'retired';
  created_at: Timestamp;
  retired_at: NullableTimestamp;
}

export interface AegisRotationsTable {
  id: string;
  from_key_id: string;
  to_key_id: string;
  state: 'running' | 'completed' | 'failed' | 'cancelled';
  total: BigIntColumn;
  done: BigIntColumn;
  cursor: NullableJson;
  started_by: string | null;
  started_at: Timestamp;
  updated_at: Timestamp;
  finished_at: NullableTimestamp;
  error: string | null;
}

export type Role = 'admin' | 'operator' | 'viewer';

export interface UsersTable {
  id: string;
  username: string;
  display_name: string | null;
  role: Role;
  auth_source: Generated<'local' | 'directory'>;
  password_hash_enc: string | null;
  password_changed_at: NullableTimestamp;
  password_change_required: Generated<boolean>;
  auth_reset_required: Generated<boolean>;
  auth_reset_at: NullableTimestamp;
  totp_secret_enc: string | null;
  totp_pending_secret_enc: string | null;
  totp_pending_expires_at: NullableTimestamp;
  totp_enabled_at: NullableTimestamp;
  totp_last_step: NullableBigInt;
  mfa_exempt: Generated<boolean>;
  disabled_at: NullableTimestamp;
  last_login_at: NullableTimestamp;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SigningKeysTable {
  key_id: string;
  public_key_spki: Buffer;
  private_key_enc: string | null;
  state: 'active' | 'retiring' | 'retired';
  previous_key_id: string | null;
  rotation_signature: string | null;
  created_at: Timestamp;
  retired_at: NullableTimestamp;
}

export interface UserRecoveryCodesTable {
  id: string;
  user_id: string;
  code_hash: Buffer;
  created_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface UserPasskeysTable {
  id: string;
  user_id: string;
  credential_id: string;
  public_key_enc: string;
  sign_count: BigIntColumn;
  aaguid: string | null;
  transports: ColumnType<string[], string[] | undefined, string[]>;
  backed_up: Generated<boolean>;
  label: string;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
}

export interface WebauthnChallengesTable {
  id: string;
  purpose: 'register' | 'authenticate';
  user_id: string | null;
  challenge: Buffer;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export type TicketPurpose = 'mfa' | 'mfa_setup' | 'bootstrap_admin' | 'bootstrap_recover';

export interface AuthTicketsTable {
  id: string;
  token_hash: Buffer;
  user_id: string | null;
  purpose: TicketPurpose;
  failures: Generated<number>;
  payload: NullableJson;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  created_ip: string | null;
}

export type AuthMethod = 'password' | 'password_totp' | 'password_recovery_code' | 'password_passkey' | 'passkey';
export type RevokeReason = 'logout' | 'user' | 'admin_action' | 'password_changed' | 'force_reset' | 'session_limit';

export interface OperatorSessionsTable {
  id: string;
  secret_hash: Buffer;
  user_id: string;
  unlock_epoch: ColumnType<string, number | string, number | string>;
  auth_method: AuthMethod;
  verified_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  idle_expires_at: Timestamp;
  absolute_expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  revoke_reason: RevokeReason | null;
}

export interface AuthThrottleTable {
  key: string;
  failures: number;
  last_failure_at: NullableTimestamp;
  locked_until: NullableTimestamp;
  lock_count: number;
  updated_at: Timestamp;
}

export interface SitesTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  auto_approve_until: NullableTimestamp;
  enrollment_code_hash: Buffer;
  enrollment_code_enc: string | null;
  enrollment_code_expires_at: NullableTimestamp;
  enrollment_code_max_uses: number | null;
  enrollment_code_uses: Generated<number>;
  enrollment_code_rotated_at: Timestamp;
  agent_config: NullableJson;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UserSiteAssignmentsTable {
  user_id: string;
  site_id: number;
  role: 'operator' | 'viewer' | null;
  assigned_at: Timestamp;
}

export interface CredentialsTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  site_id: number | null;
  credential_type: 'machine' | 'domain' | 'token';
  connection_type: 'ssh' | 'windows' | 'winrm';
  username: string | null;
  become_method: string | null;
  become_username: string | null;
  password_enc: string | null;
  private_key_enc: string | null;
  private_key_passphrase_enc: string | null;
  become_password_enc: string | null;
  secret_state: Generated<'ok' | 'reset_required'>;
  lost_secret_fields: string[] | null;
  reset_at: NullableTimestamp;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AuditEventsTable {
  id: string;
  at: Timestamp;
  actor_type: 'user' | 'device' | 'system' | 'api_token' | 'anonymous';
  actor_id: string | null;
  actor_name: string | null;
  actor_ip: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  site_id: number | null;
  outcome: 'success' | 'failure' | 'denied';
  severity: 'info' | 'warning' | 'high';
  details: Json<Record<string, unknown>>;
  request_id: string | null;
}

export interface Database {
  server_settings: ServerSettingsTable;
  engine_bootstrap: EngineBootstrapTable;
  aegis_cipher_state: AegisCipherStateTable;
  aegis_data_keys: AegisDataKeysTable;
  aegis_rotations: AegisRotationsTable;
  users: UsersTable;
  signing_keys: SigningKeysTable;
  user_recovery_codes: UserRecoveryCodesTable;
  user_passkeys: UserPasskeysTable;
  webauthn_challenges: WebauthnChallengesTable;
  auth_tickets: AuthTicketsTable;
  operator_sessions: OperatorSessionsTable;
  auth_throttle: AuthThrottleTable;
  sites: SitesTable;
  user_site_assignments: UserSiteAssignmentsTable;
  credentials: CredentialsTable;
  audit_events: AuditEventsTable;
}
