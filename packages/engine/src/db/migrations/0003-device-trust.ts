// 0003: devices and their trust (data-model.md §3 (c) device_token_keys, (d)): enrolment approvals,
// the cold device row and its hot heartbeat row, keys, refresh-token families, purge barriers,
// the DPoP replay cache (UNLOGGED on PostgreSQL), engine nodes and the Socket.IO adapter table.
// Frozen once released.

import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const run = (statement: ReturnType<typeof sql>) => statement.execute(db);
  const { rows } = await sql<{ dialect: string }>`SELECT current_setting('borealis.dialect', true) AS dialect`.execute(db);
  const unlogged = rows[0]?.dialect === 'postgres' ? sql`UNLOGGED` : sql``;

  await run(sql`
    CREATE TABLE device_token_keys (
      kid text NOT NULL CONSTRAINT pk_device_token_keys PRIMARY KEY CONSTRAINT ck_device_token_keys__kid CHECK (kid ~ '^[0-9a-f]{16}$'),
      public_key_spki bytea NOT NULL,
      private_key_sealed text NOT NULL,
      status text NOT NULL CONSTRAINT ck_device_token_keys__status CHECK (status IN ('active', 'retiring', 'retired')),
      created_at timestamptz NOT NULL DEFAULT now(),
      activated_at timestamptz NOT NULL DEFAULT now(),
      retire_at timestamptz
    )`);
  await run(sql`CREATE UNIQUE INDEX uq_device_token_keys__active ON device_token_keys ((1)) WHERE status = 'active'`);

  await run(sql`
    CREATE TABLE devices (
      guid uuid NOT NULL CONSTRAINT pk_devices PRIMARY KEY,
      display_name text NOT NULL CONSTRAINT ck_devices__display_name CHECK (char_length(display_name) BETWEEN 1 AND 253),
      hostname text NOT NULL CONSTRAINT ck_devices__hostname CHECK (char_length(hostname) BETWEEN 1 AND 253),
      fqdn text,
      description text,
      site_id integer CONSTRAINT fk_devices__site_id REFERENCES sites (id) ON DELETE SET NULL,
      status text NOT NULL DEFAULT 'active' CONSTRAINT ck_devices__status CHECK (status IN ('active', 'quarantined', 'revoked', 'decommissioned')),
      status_reason text,
      status_changed_at timestamptz,
      status_changed_by text,
      ssl_key_fingerprint text NOT NULL,
      token_version integer NOT NULL DEFAULT 1,
      agent_id text NOT NULL,
      platform text NOT NULL CONSTRAINT ck_devices__platform CHECK (platform IN ('linux', 'windows')),
      arch text NOT NULL CONSTRAINT ck_devices__arch CHECK (arch IN ('x64', 'arm64')),
      agent_version text,
      release_channel_override text,
      operating_system text,
      os_id text,
      os_version text,
      kernel text,
      device_type text,
      domain text,
      virtualization text,
      manufacturer text,
      system_model text,
      serial_number text,
      cpu_model text,
      logical_cores integer,
      total_ram_bytes bigint,
      storage_free_percent real,
      external_ip inet,
      machine_id_sha256 text,
      agent_config jsonb,
      enrolled_at timestamptz NOT NULL,
      last_enrollment_at timestamptz NOT NULL,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  await run(sql`CREATE UNIQUE INDEX uq_devices__lower_display_name ON devices (lower(display_name))`);
  await run(sql`CREATE INDEX ix_devices__site_id_name_guid ON devices (site_id, lower(display_name), guid)`);
  await run(sql`CREATE INDEX ix_devices__name_guid ON devices (lower(display_name), guid)`);
  await run(sql`CREATE INDEX ix_devices__lower_hostname ON devices (lower(hostname))`);
  await run(sql`CREATE INDEX ix_devices__ssl_key_fingerprint ON devices (ssl_key_fingerprint)`);
  await run(sql`CREATE INDEX ix_devices__display_name_trgm ON devices USING gin (lower(display_name) public.gin_trgm_ops)`);
  await run(sql`CREATE INDEX ix_devices__description_trgm ON devices USING gin (lower(description) public.gin_trgm_ops)`);

  await run(sql`
    CREATE TABLE device_approvals (
      id uuid NOT NULL CONSTRAINT pk_device_approvals PRIMARY KEY,
      approval_reference uuid NOT NULL CONSTRAINT uq_device_approvals__approval_reference UNIQUE,
      status text NOT NULL CONSTRAINT ck_device_approvals__status CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'completed')),
      site_id integer CONSTRAINT fk_device_approvals__site_id REFERENCES sites (id) ON DELETE SET NULL,
      hostname_claimed text NOT NULL CONSTRAINT ck_device_approvals__hostname_claimed CHECK (char_length(hostname_claimed) BETWEEN 1 AND 253),
      fqdn text,
      ssl_key_fingerprint_claimed text NOT NULL,
      agent_pubkey bytea NOT NULL,
      client_nonce bytea NOT NULL,
      server_nonce bytea NOT NULL,
      agent_version text NOT NULL,
      platform text NOT NULL,
      arch text NOT NULL,
      machine_id_sha256 text,
      remote_addr inet NOT NULL,
      conflict_kind text NOT NULL DEFAULT 'none' CONSTRAINT ck_device_approvals__conflict_kind CHECK (conflict_kind IN ('none', 'same_key', 'same_hostname', 'revoked_device')),
      conflict_device_guid uuid,
      conflict_resolution text CONSTRAINT ck_device_approvals__conflict_resolution CHECK (conflict_resolution IN ('merge', 'overwrite', 'coexist')),
      device_guid uuid,
      decided_by_user_id uuid CONSTRAINT fk_device_approvals__decided_by_user_id REFERENCES users (id) ON DELETE SET NULL,
      decided_by text,
      decided_at timestamptz,
      deny_reason text,
      last_polled_at timestamptz,
      expires_at timestamptz NOT NULL,
      completed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  await run(sql`CREATE UNIQUE INDEX uq_device_approvals__pending_fingerprint ON device_approvals (ssl_key_fingerprint_claimed) WHERE status = 'pending'`);
  await run(sql`CREATE INDEX ix_device_approvals__status_created_at ON device_approvals (status, created_at)`);
  await run(sql`CREATE INDEX ix_device_approvals__site_id ON device_approvals (site_id)`);

  await run(sql`
    CREATE TABLE enrollment_code_failures (
      id bigint GENERATED BY DEFAULT AS IDENTITY CONSTRAINT pk_enrollment_code_failures PRIMARY KEY,
      ssl_key_fingerprint_claimed text NOT NULL CONSTRAINT uq_enrollment_code_failures__fingerprint UNIQUE,
      hostname_claimed text NOT NULL,
      enrollment_code_mask text NOT NULL,
      remote_addr inet NOT NULL,
      attempt_count integer NOT NULL DEFAULT 1,
      first_seen_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      last_error text NOT NULL
    )`);
  await run(sql`CREATE INDEX ix_enrollment_code_failures__remote_addr_last_seen_at ON enrollment_code_failures (remote_addr, last_seen_at)`);

  await run(sql`
    CREATE TABLE device_heartbeat_state (
      device_guid uuid NOT NULL CONSTRAINT pk_device_heartbeat_state PRIMARY KEY
        CONSTRAINT fk_device_heartbeat_state__device_guid REFERENCES devices (guid) ON DELETE CASCADE,
      last_seen_at timestamptz,
      presence_node_id text,
      presence_changed_at timestamptz,
      boot_id uuid,
      uptime_seconds bigint,
      last_reboot_at timestamptz,
      agent_version text,
      release_channel text,
      cpu_percent real,
      memory_percent real,
      swap_percent real,
      load_1m real,
      process_count integer,
      disks jsonb,
      storage_max_usage_percent real,
      last_user text,
      logged_in_users text[],
      internal_ip inet,
      role_health jsonb,
      vpn jsonb,
      written_at timestamptz NOT NULL DEFAULT now()
    ) WITH (fillfactor = 70)`);
  await run(sql`CREATE INDEX ix_device_heartbeat_state__last_seen_at_device_guid ON device_heartbeat_state (last_seen_at, device_guid)`);

  await run(sql`
    CREATE TABLE device_keys (
      id uuid NOT NULL CONSTRAINT pk_device_keys PRIMARY KEY,
      device_guid uuid NOT NULL CONSTRAINT fk_device_keys__device_guid REFERENCES devices (guid) ON DELETE CASCADE,
      ssl_key_fingerprint text NOT NULL,
      jkt text NOT NULL,
      public_key_spki bytea NOT NULL,
      added_at timestamptz NOT NULL,
      retired_at timestamptz
    )`);
  await run(sql`CREATE UNIQUE INDEX uq_device_keys__live_fingerprint ON device_keys (ssl_key_fingerprint) WHERE retired_at IS NULL`);
  await run(sql`CREATE INDEX ix_device_keys__device_guid ON device_keys (device_guid)`);

  await run(sql`
    CREATE TABLE refresh_tokens (
      id uuid NOT NULL CONSTRAINT pk_refresh_tokens PRIMARY KEY,
      family_id uuid NOT NULL,
      device_guid uuid NOT NULL CONSTRAINT fk_refresh_tokens__device_guid REFERENCES devices (guid) ON DELETE CASCADE,
      token_hash bytea NOT NULL CONSTRAINT uq_refresh_tokens__token_hash UNIQUE,
      parent_id uuid CONSTRAINT fk_refresh_tokens__parent_id REFERENCES refresh_tokens (id) ON DELETE SET NULL,
      dpop_jkt text NOT NULL,
      issued_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      revoked_at timestamptz,
      revoke_reason text CONSTRAINT ck_refresh_tokens__revoke_reason
        CHECK (revoke_reason IN ('superseded', 'reuse_detected', 'reenrolled', 'reauth', 'device_revoked', 'device_purged', 'key_changed'))
    )`);
  await run(sql`CREATE INDEX ix_refresh_tokens__family_id ON refresh_tokens (family_id)`);
  await run(sql`CREATE INDEX ix_refresh_tokens__device_guid_live ON refresh_tokens (device_guid) WHERE revoked_at IS NULL AND used_at IS NULL`);

  await run(sql`
    CREATE TABLE device_purge_barriers (
      device_guid uuid NOT NULL CONSTRAINT pk_device_purge_barriers PRIMARY KEY,
      required_token_version integer NOT NULL,
      purged_at timestamptz NOT NULL,
      purged_by_user_id uuid,
      last_hostname text NOT NULL,
      last_agent_id text NOT NULL
    )`);

  await run(sql`
    CREATE ${unlogged} TABLE dpop_replay (
      key bytea NOT NULL CONSTRAINT pk_dpop_replay PRIMARY KEY,
      expires_at timestamptz NOT NULL
    )`);

  await run(sql`
    CREATE TABLE engine_nodes (
      node_id text NOT NULL CONSTRAINT pk_engine_nodes PRIMARY KEY,
      role text NOT NULL,
      host text NOT NULL,
      pid integer NOT NULL,
      version text NOT NULL,
      started_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      grant_public_key text,
      grant_mac text,
      has_key boolean NOT NULL DEFAULT false
    )`);

  // The table the Socket.IO PostgreSQL adapter expects; created here so the adapter runs no DDL.
  await run(sql`
    CREATE TABLE socket_io_attachments (
      id bigint GENERATED BY DEFAULT AS IDENTITY CONSTRAINT uq_socket_io_attachments__id UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      payload bytea
    )`);
}
