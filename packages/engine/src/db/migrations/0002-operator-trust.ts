// 0002: operator trust (security.md §2–§9): bootstrap gate, Aegis key tables, signing keys,
// users and their factors, sessions, throttling, sites, credentials, the append-only audit trail.
// Frozen once released.

import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const run = (statement: ReturnType<typeof sql>) => statement.execute(db);

  await run(sql`
    CREATE TABLE engine_bootstrap (
      id smallint NOT NULL CONSTRAINT pk_engine_bootstrap PRIMARY KEY CONSTRAINT ck_engine_bootstrap__id CHECK (id = 1),
      setup_token_hash bytea NOT NULL,
      issued_at timestamptz NOT NULL,
      consumed_at timestamptz
    )`);

  await run(sql`
    CREATE TABLE aegis_cipher_state (
      id smallint NOT NULL CONSTRAINT pk_aegis_cipher_state PRIMARY KEY CONSTRAINT ck_aegis_cipher_state__id CHECK (id = 1),
      kdf_name text NOT NULL DEFAULT 'scrypt' CONSTRAINT ck_aegis_cipher_state__kdf_name CHECK (kdf_name IN ('scrypt')),
      kdf_params jsonb NOT NULL,
      verification_token text NOT NULL,
      active_key_id text NOT NULL,
      unlock_epoch bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);

  await run(sql`
    CREATE TABLE aegis_data_keys (
      key_id text NOT NULL CONSTRAINT pk_aegis_data_keys PRIMARY KEY CONSTRAINT ck_aegis_data_keys__key_id CHECK (key_id ~ '^[0-9a-f]{8}$'),
      wrapped_key text,
      state text NOT NULL CONSTRAINT ck_aegis_data_keys__state CHECK (state IN ('active', 'retiring', 'retired')),
      created_at timestamptz NOT NULL DEFAULT now(),
      retired_at timestamptz
    )`);
  await run(sql`CREATE UNIQUE INDEX uq_aegis_data_keys__active ON aegis_data_keys ((1)) WHERE state = 'active'`);

  await run(sql`
    CREATE TABLE users (
      id uuid NOT NULL CONSTRAINT pk_users PRIMARY KEY,
      username text NOT NULL CONSTRAINT ck_users__username CHECK (char_length(username) BETWEEN 3 AND 64),
      display_name text,
      role text NOT NULL CONSTRAINT ck_users__role CHECK (role IN ('admin', 'operator', 'viewer')),
      auth_source text NOT NULL DEFAULT 'local' CONSTRAINT ck_users__auth_source CHECK (auth_source IN ('local', 'directory')),
      password_hash_enc text,
      password_changed_at timestamptz,
      password_change_required boolean NOT NULL DEFAULT false,
      auth_reset_required boolean NOT NULL DEFAULT false,
      auth_reset_at timestamptz,
      totp_secret_enc text,
      totp_pending_secret_enc text,
      totp_pending_expires_at timestamptz,
      totp_enabled_at timestamptz,
      totp_last_step bigint,
      mfa_exempt boolean NOT NULL DEFAULT false,
      disabled_at timestamptz,
      last_login_at timestamptz,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  await run(sql`CREATE UNIQUE INDEX uq_users__lower_username ON users (lower(username))`);

  await run(sql`
    CREATE TABLE signing_keys (
      key_id text NOT NULL CONSTRAINT pk_signing_keys PRIMARY KEY,
      public_key_spki bytea NOT NULL,
      private_key_enc text,
      state text NOT NULL CONSTRAINT ck_signing_keys__state CHECK (state IN ('active', 'retiring', 'retired')),
      previous_key_id text,
      rotation_signature text,
      created_at timestamptz NOT NULL DEFAULT now(),
      retired_at timestamptz
    )`);
  await run(sql`CREATE UNIQUE INDEX uq_signing_keys__active ON signing_keys ((1)) WHERE state = 'active'`);

  await run(sql`
    CREATE TABLE aegis_rotations (
      id uuid NOT NULL CONSTRAINT pk_aegis_rotations PRIMARY KEY,
      from_key_id text NOT NULL,
      to_key_id text NOT NULL,
      state text NOT NULL CONSTRAINT ck_aegis_rotations__state CHECK (state IN ('running', 'completed', 'failed', 'cancelled')),
      total bigint NOT NULL DEFAULT 0,
      done bigint NOT NULL DEFAULT 0,
      cursor jsonb,
      started_by uuid CONSTRAINT fk_aegis_rotations__started_by REFERENCES users (id) ON DELETE SET NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      error text
    )`);
  await run(sql`CREATE UNIQUE INDEX uq_aegis_rotations__unfinished ON aegis_rotations ((1)) WHERE state IN ('running', 'failed')`);

  await run(sql`
    CREATE TABLE user_recovery_codes (
      id uuid NOT NULL CONSTRAINT pk_user_recovery_codes PRIMARY KEY,
      user_id uuid NOT NULL CONSTRAINT fk_user_recovery_codes__user_id REFERENCES users (id) ON DELETE CASCADE,
      code_hash bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      used_at timestamptz,
      CONSTRAINT uq_user_recovery_codes__user_id_code_hash UNIQUE (user_id, code_hash)
    )`);

  await run(sql`
    CREATE TABLE user_passkeys (
      id uuid NOT NULL CONSTRAINT pk_user_passkeys PRIMARY KEY,
      user_id uuid NOT NULL CONSTRAINT fk_user_passkeys__user_id REFERENCES users (id) ON DELETE CASCADE,
      credential_id text NOT NULL CONSTRAINT uq_user_passkeys__credential_id UNIQUE,
      public_key_enc text NOT NULL,
      sign_count bigint NOT NULL DEFAULT 0,
      aaguid uuid,
      transports text[] NOT NULL DEFAULT '{}',
      backed_up boolean NOT NULL DEFAULT false,
      label text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz
    )`);
  await run(sql`CREATE INDEX ix_user_passkeys__user_id ON user_passkeys (user_id)`);

  await run(sql`
    CREATE TABLE webauthn_challenges (
      id uuid NOT NULL CONSTRAINT pk_webauthn_challenges PRIMARY KEY,
      purpose text NOT NULL CONSTRAINT ck_webauthn_challenges__purpose CHECK (purpose IN ('register', 'authenticate')),
      user_id uuid CONSTRAINT fk_webauthn_challenges__user_id REFERENCES users (id) ON DELETE CASCADE,
      challenge bytea NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )`);
  await run(sql`CREATE INDEX ix_webauthn_challenges__expires_at ON webauthn_challenges (expires_at)`);

  await run(sql`
    CREATE TABLE auth_tickets (
      id uuid NOT NULL CONSTRAINT pk_auth_tickets PRIMARY KEY,
      token_hash bytea NOT NULL CONSTRAINT uq_auth_tickets__token_hash UNIQUE,
      user_id uuid CONSTRAINT fk_auth_tickets__user_id REFERENCES users (id) ON DELETE CASCADE,
      purpose text NOT NULL CONSTRAINT ck_auth_tickets__purpose CHECK (purpose IN ('mfa', 'mfa_setup', 'bootstrap_admin', 'bootstrap_recover')),
      failures smallint NOT NULL DEFAULT 0,
      payload jsonb,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_ip inet
    )`);
  await run(sql`CREATE INDEX ix_auth_tickets__expires_at ON auth_tickets (expires_at)`);

  await run(sql`
    CREATE TABLE operator_sessions (
      id uuid NOT NULL CONSTRAINT pk_operator_sessions PRIMARY KEY,
      secret_hash bytea NOT NULL CONSTRAINT uq_operator_sessions__secret_hash UNIQUE,
      user_id uuid NOT NULL CONSTRAINT fk_operator_sessions__user_id REFERENCES users (id) ON DELETE CASCADE,
      unlock_epoch bigint NOT NULL,
      auth_method text NOT NULL CONSTRAINT ck_operator_sessions__auth_method
        CHECK (auth_method IN ('password', 'password_totp', 'password_recovery_code', 'password_passkey', 'passkey')),
      verified_at timestamptz NOT NULL,
      ip inet,
      user_agent text CONSTRAINT ck_operator_sessions__user_agent CHECK (char_length(user_agent) <= 256),
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL,
      idle_expires_at timestamptz NOT NULL,
      absolute_expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      revoke_reason text CONSTRAINT ck_operator_sessions__revoke_reason
        CHECK (revoke_reason IN ('logout', 'user', 'admin_action', 'password_changed', 'force_reset', 'session_limit'))
    )`);
  await run(sql`CREATE INDEX ix_operator_sessions__user_id_live ON operator_sessions (user_id) WHERE revoked_at IS NULL`);
  await run(sql`CREATE INDEX ix_operator_sessions__absolute_expires_at ON operator_sessions (absolute_expires_at)`);

  await run(sql`
    CREATE TABLE auth_throttle (
      key text NOT NULL CONSTRAINT pk_auth_throttle PRIMARY KEY,
      failures integer NOT NULL DEFAULT 0,
      last_failure_at timestamptz,
      locked_until timestamptz,
      lock_count integer NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  await run(sql`CREATE INDEX ix_auth_throttle__updated_at ON auth_throttle (updated_at)`);

  await run(sql`
    CREATE TABLE sites (
      id integer GENERATED BY DEFAULT AS IDENTITY CONSTRAINT pk_sites PRIMARY KEY,
      name text NOT NULL,
      description text,
      auto_approve_until timestamptz,
      enrollment_code_hash bytea NOT NULL CONSTRAINT uq_sites__enrollment_code_hash UNIQUE,
      enrollment_code_enc text,
      enrollment_code_expires_at timestamptz,
      enrollment_code_max_uses integer,
      enrollment_code_uses integer NOT NULL DEFAULT 0,
      enrollment_code_rotated_at timestamptz NOT NULL DEFAULT now(),
      agent_config jsonb,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  await run(sql`CREATE UNIQUE INDEX uq_sites__lower_name ON sites (lower(name))`);

  await run(sql`
    CREATE TABLE user_site_assignments (
      user_id uuid NOT NULL CONSTRAINT fk_user_site_assignments__user_id REFERENCES users (id) ON DELETE CASCADE,
      site_id integer NOT NULL CONSTRAINT fk_user_site_assignments__site_id REFERENCES sites (id) ON DELETE CASCADE,
      role text CONSTRAINT ck_user_site_assignments__role CHECK (role IN ('operator', 'viewer')),
      assigned_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_user_site_assignments PRIMARY KEY (user_id, site_id)
    )`);
  await run(sql`CREATE INDEX ix_user_site_assignments__site_id ON user_site_assignments (site_id)`);

  await run(sql`
    CREATE TABLE credentials (
      id integer GENERATED BY DEFAULT AS IDENTITY CONSTRAINT pk_credentials PRIMARY KEY,
      name text NOT NULL CONSTRAINT uq_credentials__name UNIQUE,
      description text,
      site_id integer CONSTRAINT fk_credentials__site_id REFERENCES sites (id) ON DELETE SET NULL,
      credential_type text NOT NULL CONSTRAINT ck_credentials__credential_type CHECK (credential_type IN ('machine', 'domain', 'token')),
      connection_type text NOT NULL CONSTRAINT ck_credentials__connection_type CHECK (connection_type IN ('ssh', 'windows', 'winrm')),
      username text,
      become_method text,
      become_username text,
      password_enc text,
      private_key_enc text,
      private_key_passphrase_enc text,
      become_password_enc text,
      secret_state text NOT NULL DEFAULT 'ok' CONSTRAINT ck_credentials__secret_state CHECK (secret_state IN ('ok', 'reset_required')),
      lost_secret_fields text[],
      reset_at timestamptz,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  await run(sql`CREATE INDEX ix_credentials__site_id ON credentials (site_id)`);

  await run(sql`
    CREATE TABLE audit_events (
      id uuid NOT NULL CONSTRAINT pk_audit_events PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor_type text NOT NULL CONSTRAINT ck_audit_events__actor_type CHECK (actor_type IN ('user', 'device', 'system', 'api_token', 'anonymous')),
      actor_id text,
      actor_name text,
      actor_ip text,
      action text NOT NULL,
      target_type text,
      target_id text,
      site_id integer,
      outcome text NOT NULL CONSTRAINT ck_audit_events__outcome CHECK (outcome IN ('success', 'failure', 'denied')),
      severity text NOT NULL DEFAULT 'info' CONSTRAINT ck_audit_events__severity CHECK (severity IN ('info', 'warning', 'high')),
      details jsonb NOT NULL DEFAULT '{}',
      request_id text
    )`);
  await run(sql`CREATE INDEX ix_audit_events__at_id ON audit_events (at DESC, id DESC)`);
  await run(sql`CREATE INDEX ix_audit_events__action_at ON audit_events (action, at)`);
  await run(sql`CREATE INDEX ix_audit_events__actor_id_at ON audit_events (actor_id, at)`);
  await run(sql`CREATE INDEX ix_audit_events__target_at ON audit_events (target_type, target_id, at)`);
  await run(sql`CREATE INDEX ix_audit_events__site_id_at ON audit_events (site_id, at)`);

  // Append-only in both dialects (data-model.md (k)): only rows past 90 days may be deleted.
  await run(sql`
    CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        IF OLD.at < now() - interval '90 days' THEN
          RETURN OLD;
        END IF;
      END IF;
      RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'P0001';
    END
    $$`);
  await run(sql`
    CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
  await run(sql`
    CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);
}
