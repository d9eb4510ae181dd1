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

export interface DeviceTokenKeysTable {
  kid: string;
  public_key_spki: Buffer;
  private_key_sealed: string;
  status: 'active' | 'retiring' | 'retired';
  created_at: Timestamp;
  activated_at: Timestamp;
  retire_at: NullableTimestamp;
}

export type DeviceStatus = 'active' | 'quarantined' | 'revoked' | 'decommissioned';

export interface DevicesTable {
  guid: string;
  display_name: string;
  hostname: string;
  fqdn: string | null;
  description: string | null;
  site_id: number | null;
  status: Generated<DeviceStatus>;
  status_reason: string | null;
  status_changed_at: NullableTimestamp;
  status_changed_by: string | null;
  ssl_key_fingerprint: string;
  token_version: Generated<number>;
  agent_id: string;
  platform: 'linux' | 'windows';
  arch: 'x64' | 'arm64';
  agent_version: string | null;
  release_channel_override: string | null;
  operating_system: string | null;
  os_id: string | null;
  os_version: string | null;
  kernel: string | null;
  device_type: string | null;
  domain: string | null;
  virtualization: string | null;
  manufacturer: string | null;
  system_model: string | null;
  serial_number: string | null;
  cpu_model: string | null;
  logical_cores: number | null;
  total_ram_bytes: NullableBigInt;
  storage_free_percent: number | null;
  external_ip: string | null;
  machine_id_sha256: string | null;
  agent_config: NullableJson;
  enrolled_at: Timestamp;
  last_enrollment_at: Timestamp;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DeviceApprovalsTable {
  id: string;
  approval_reference: string;
  status: 'pending' | 'approved' | 'denied' | 'expired' | 'completed';
  site_id: number | null;
  hostname_claimed: string;
  fqdn: string | null;
  ssl_key_fingerprint_claimed: string;
  agent_pubkey: Buffer;
  client_nonce: Buffer;
  server_nonce: Buffer;
  agent_version: string;
  platform: string;
  arch: string;
  machine_id_sha256: string | null;
  remote_addr: string;
  conflict_kind: Generated<'none' | 'same_key' | 'same_hostname' | 'revoked_device'>;
  conflict_device_guid: string | null;
  conflict_resolution: 'merge' | 'overwrite' | 'coexist' | null;
  device_guid: string | null;
  decided_by_user_id: string | null;
  decided_by: string | null;
  decided_at: NullableTimestamp;
  deny_reason: string | null;
  last_polled_at: NullableTimestamp;
  expires_at: Timestamp;
  completed_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface EnrollmentCodeFailuresTable {
  id: Generated<string>;
  ssl_key_fingerprint_claimed: string;
  hostname_claimed: string;
  enrollment_code_mask: string;
  remote_addr: string;
  attempt_count: Generated<number>;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  last_error: string;
}

export interface DeviceHeartbeatStateTable {
  device_guid: string;
  last_seen_at: NullableTimestamp;
  presence_node_id: string | null;
  presence_changed_at: NullableTimestamp;
  boot_id: string | null;
  uptime_seconds: NullableBigInt;
  last_reboot_at: NullableTimestamp;
  agent_version: string | null;
  release_channel: string | null;
  cpu_percent: number | null;
  memory_percent: number | null;
  swap_percent: number | null;
  load_1m: number | null;
  process_count: number | null;
  disks: NullableJson;
  storage_max_usage_percent: number | null;
  last_user: string | null;
  logged_in_users: string[] | null;
  internal_ip: string | null;
  role_health: NullableJson;
  vpn: NullableJson;
  written_at: Timestamp;
}

export interface DeviceKeysTable {
  id: string;
  device_guid: string;
  ssl_key_fingerprint: string;
  jkt: string;
  public_key_spki: Buffer;
  added_at: Timestamp;
  retired_at: NullableTimestamp;
}

export type RefreshRevokeReason = 'superseded' | 'reuse_detected' | 'reenrolled' | 'reauth' | 'device_revoked' | 'device_purged' | 'key_changed';

export interface RefreshTokensTable {
  id: string;
  family_id: string;
  device_guid: string;
  token_hash: Buffer;
  parent_id: string | null;
  dpop_jkt: string;
  issued_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  revoke_reason: RefreshRevokeReason | null;
}

export interface DevicePurgeBarriersTable {
  device_guid: string;
  required_token_version: number;
  purged_at: Timestamp;
  purged_by_user_id: string | null;
  last_hostname: string;
  last_agent_id: string;
}

export interface DpopReplayTable {
  key: Buffer;
  expires_at: Timestamp;
}

export interface EngineNodesTable {
  node_id: string;
  role: string;
  host: string;
  pid: number;
  version: string;
  started_at: Timestamp;
  last_seen_at: Timestamp;
  grant_public_key: string | null;
  grant_mac: string | null;
  has_key: Generated<boolean>;
}

export interface SocketIoAttachmentsTable {
  id: Generated<string>;
  created_at: Timestamp;
  payload: Buffer | null;
}

export interface DeviceInventoryTable {
  device_guid: string;
  section: string;
  data: Json;
  hash: Buffer;
  size_bytes: number;
  collected_at: Timestamp;
  updated_at: Timestamp;
}

export interface SoftwareTitlesTable {
  id: Generated<string>;
  name_lower: string;
  name: string;
}

export interface DeviceSoftwareInventoryTable {
  device_guid: string;
  title_id: string;
  version: string;
  architecture: ColumnType<string, string | undefined, string>;
  source: string;
  installed_at: NullableTimestamp;
}

export interface MetadataFieldDefinitionsTable {
  field_number: number;
  label: string | null;
  description: string | null;
  updated_by: string | null;
  updated_at: Timestamp;
}

export interface DeviceMetadataFieldsTable {
  device_guid: string;
  field_number: number;
  value: string;
  modified_at: Timestamp;
  source: 'engine' | 'agent';
  actor: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type FilterSiteMode = 'global' | 'specific_sites' | 'global_exclusions';

export interface DeviceFiltersTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  archived: Generated<boolean>;
  site_mode: FilterSiteMode;
  criteria: Json;
  created_by_user_id: string | null;
  last_edited_by: string | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DeviceFilterSitesTable {
  filter_id: number;
  site_id: number;
}

export interface DeviceListViewsTable {
  id: Generated<number>;
  name: string;
  columns: Json;
  filters: NullableJson;
  owner_user_id: string | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type ExecutionStatus = 'Pending' | 'Running' | 'Success' | 'Warning' | 'Failed' | 'Expired' | 'Timed Out' | 'Skipped' | 'Cancelled';

export interface AssembliesTable {
  assembly_guid: string;
  assembly_type: string;
  assembly_subtype: string;
  display_name: string;
  summary: string | null;
  domain: 'official' | 'user' | 'site';
  site_id: number | null;
  revision: number;
  content_hash: Buffer;
  platforms: string[];
  source_path: string | null;
  created_by_user_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AssemblyRevisionsTable {
  assembly_guid: string;
  revision: number;
  payload: Json;
  content_hash: Buffer;
  script_bytes: number;
  change_note: string | null;
  pinned: Generated<boolean>;
  created_by_user_id: string | null;
  created_at: Timestamp;
}

export interface QuickJobsTable {
  id: string;
  source: 'operator' | 'watchdog' | 'api' | 'rerun' | 'workflow';
  created_by_user_id: string | null;
  created_by_name: string;
  assembly_guid: string;
  assembly_revision: number;
  content_hash: Buffer;
  script_name: string;
  run_mode: string;
  timeout_seconds: number;
  expires_at: Timestamp;
  variable_values: Json;
  target_selector: Json;
  target_count: number;
  site_ids: number[];
  counts: Json;
  created_at: Timestamp;
  finished_at: NullableTimestamp;
}

export interface ScheduledJobsTable {
  id: Generated<number>;
  name: string;
  job_kind: string;
  components: Json;
  targets: Json;
  schedule: Json;
  expiration: ColumnType<string, string | undefined, string>;
  execution_context: string;
  credential_id: number | null;
  use_service_account: Generated<boolean>;
  missed_run_policy: ColumnType<'run_latest' | 'skip', 'run_latest' | 'skip' | undefined, 'run_latest' | 'skip'>;
  stop_on_failure: Generated<boolean>;
  enabled: Generated<boolean>;
  disabled_reason: string | null;
  allowed_site_ids: number[];
  next_occurrence_at: NullableTimestamp;
  state: ColumnType<'active' | 'completed', 'active' | 'completed' | undefined, 'active' | 'completed'>;
  created_by_user_id: string | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ScheduledJobOccurrencesTable {
  id: Generated<string>;
  job_id: number;
  scheduled_for: Timestamp;
  trigger: 'schedule' | 'catch_up' | 'manual';
  missed_count: Generated<number>;
  status: string;
  skip_reason: string | null;
  counts_json: ColumnType<unknown, string | undefined, string>;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface ScheduledJobRunsTable {
  id: Generated<string>;
  occurrence_id: string;
  job_id: number;
  device_guid: string;
  hostname: string;
  site_id: number | null;
  resolved_from: string;
  status: string;
  skip_reason: string | null;
  error: string | null;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface ActivityHistoryTable {
  id: string;
  quick_job_id: string | null;
  run_id: string | null;
  component_index: number | null;
  activity_kind: 'quick_job' | 'scheduled' | 'watchdog' | 'agent_maintenance' | 'patch_install';
  device_guid: string;
  hostname: string;
  site_id: number | null;
  assembly_guid: string;
  assembly_revision: number;
  script_sha256: Buffer;
  script_name: string;
  status: ExecutionStatus;
  phase: string | null;
  skip_reason: string | null;
  error_code: string | null;
  error: string | null;
  exit_code: number | null;
  signal: string | null;
  stdout: string | null;
  stderr: string | null;
  stdout_truncated: Generated<boolean>;
  stderr_truncated: Generated<boolean>;
  stdout_total_bytes: NullableBigInt;
  stderr_total_bytes: NullableBigInt;
  expires_at: Timestamp;
  dispatched_at: NullableTimestamp;
  accepted_at: NullableTimestamp;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  duration_ms: number | null;
  cancel_requested_at: NullableTimestamp;
  cancel_confirmed: boolean | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ActivityOutputChunksTable {
  id: Generated<string>;
  activity_id: string;
  seq: number;
  stream: 'stdout' | 'stderr';
  chunk: string;
  created_at: Timestamp;
}

export type WorkItemStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobSchedulerWorkItemsTable {
  id: Generated<string>;
  dedupe_key: string;
  kind: string;
  lane: string;
  site_id: number;
  job_id: number | null;
  run_id: string | null;
  target_id: string | null;
  payload_json: ColumnType<unknown, string | undefined, string>;
  status: WorkItemStatus;
  priority: number;
  attempt_count: Generated<number>;
  max_attempts: Generated<number>;
  available_at: Timestamp;
  lease_owner: string | null;
  lease_expires_at: NullableTimestamp;
  heartbeat_at: NullableTimestamp;
  worker_guid: string | null;
  error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: NullableTimestamp;
}

export interface JobSchedulerWorkersTable {
  worker_guid: string;
  name: string;
  kind: 'scheduler' | 'site_worker';
  site_id: number | null;
  lanes: string[];
  status: 'starting' | 'running' | 'idle' | 'stopped' | 'lost';
  launcher: 'in_process' | 'child' | 'container';
  host: string;
  pid: number | null;
  concurrency: number;
  generation: ColumnType<string, number | bigint | string | undefined, number | bigint | string>;
  started_at: Timestamp;
  last_heartbeat_at: Timestamp;
  stopped_at: NullableTimestamp;
}

export interface IdempotencyKeysTable {
  user_id: string;
  route: string;
  key: string;
  request_hash: Buffer;
  status_code: number | null;
  response: NullableJson;
  resource_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
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
  device_token_keys: DeviceTokenKeysTable;
  devices: DevicesTable;
  device_approvals: DeviceApprovalsTable;
  enrollment_code_failures: EnrollmentCodeFailuresTable;
  device_heartbeat_state: DeviceHeartbeatStateTable;
  device_keys: DeviceKeysTable;
  refresh_tokens: RefreshTokensTable;
  device_purge_barriers: DevicePurgeBarriersTable;
  dpop_replay: DpopReplayTable;
  engine_nodes: EngineNodesTable;
  socket_io_attachments: SocketIoAttachmentsTable;
  device_inventory: DeviceInventoryTable;
  software_titles: SoftwareTitlesTable;
  device_software_inventory: DeviceSoftwareInventoryTable;
  metadata_field_definitions: MetadataFieldDefinitionsTable;
  device_metadata_fields: DeviceMetadataFieldsTable;
  device_filters: DeviceFiltersTable;
  device_filter_sites: DeviceFilterSitesTable;
  device_list_views: DeviceListViewsTable;
  assemblies: AssembliesTable;
  assembly_revisions: AssemblyRevisionsTable;
  quick_jobs: QuickJobsTable;
  scheduled_jobs: ScheduledJobsTable;
  scheduled_job_occurrences: ScheduledJobOccurrencesTable;
  scheduled_job_runs: ScheduledJobRunsTable;
  activity_history: ActivityHistoryTable;
  activity_output_chunks: ActivityOutputChunksTable;
  job_scheduler_work_items: JobSchedulerWorkItemsTable;
  job_scheduler_workers: JobSchedulerWorkersTable;
  idempotency_keys: IdempotencyKeysTable;
}
