// The agent configuration document (agent-protocol §4.5): engine defaults with the site's and the
// device's `agent_config` overrides merged in, a revision derived from its content (the ETag), and
// the job-signing public keys agents pin (automation.md §1.5).

import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { AgentConfigSchema, encodeB64, HEARTBEAT_INTERVAL_DEFAULT_S, HEARTBEAT_JITTER_DEFAULT_S, type AgentConfig, type AgentSigningKey } from '@borealis/protocol/agent';
import type { Database } from '../../db/schema';
import type { DbExecutor } from '../audit/audit-log';

export const DEFAULT_AGENT_CONFIG: Omit<AgentConfig, 'revision' | 'signing_keys'> = Object.freeze({
  heartbeat_interval_s: HEARTBEAT_INTERVAL_DEFAULT_S,
  heartbeat_jitter_s: HEARTBEAT_JITTER_DEFAULT_S,
  inventory_check_interval_s: 300,
  software_interval_s: 3600,
  full_inventory_interval_s: 86_400,
  job_output_max_bytes: 1024 * 1024,
  max_concurrent_jobs: 4,
  log_level: 'info' as const,
  roles: { remote_shell: { enabled: false, pty: false }, vpn: { mode: 'disabled' as const }, vnc: { enabled: false } },
  release_channel: 'stable',
  trust: {},
});

const ConfigBodySchema = AgentConfigSchema.omit({ revision: true });

export interface DeviceConfigView {
  readonly config: AgentConfig;
  readonly siteId: number | null;
  readonly siteName: string | null;
  /** The active job-signing key, or null before Aegis setup made one. */
  readonly signingKeyId: string | null;
}

/** Sorted-key JSON for the revision; unlike the signing JCS it takes any JSON value (site overrides may hold fractions). */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isPlainObject(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Overrides replace leaves of the same type only, so a bad override cannot break the document. */
function mergeKnown(base: Record<string, unknown>, override: unknown): Record<string, unknown> {
  if (!isPlainObject(override)) return base;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(base)) {
    const o = override[key];
    if (o === undefined) continue;
    if (isPlainObject(value)) out[key] = mergeKnown(value, o);
    else if (typeof o === typeof value) out[key] = o;
  }
  return out;
}

export async function signingKeys(executor: DbExecutor): Promise<AgentSigningKey[]> {
  const rows = await executor
    .selectFrom('signing_keys')
    .select(['key_id', 'public_key_spki', 'state', 'previous_key_id', 'rotation_signature', 'created_at'])
    .where('state', 'in', ['active', 'retiring'])
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    key_id: r.key_id,
    public_key_spki: encodeB64(r.public_key_spki),
    state: r.state,
    previous_key_id: r.previous_key_id,
    rotation_signature: r.rotation_signature,
    created_at: new Date(r.created_at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  }));
}

interface ConfigInputs {
  readonly site_id: number | null;
  readonly site_name: string | null;
  readonly site_config: unknown;
  readonly device_config: unknown;
  readonly release_channel_override: string | null;
  /** Active and retiring job-signing keys, newest first. */
  readonly keys: readonly { key_id: string; spki: string; state: string }[];
}

/**
 * Views by their inputs: devices of one site almost always share one document, so sockets share
 * one object (less heap per socket) and a reconnect storm validates and hashes each document once.
 */
const views = new Map<string, DeviceConfigView>();
const VIEW_CACHE_MAX = 2_000;

function viewOf(row: ConfigInputs): DeviceConfigView {
  const key = JSON.stringify([row.site_id, row.site_name, row.site_config, row.device_config, row.release_channel_override, row.keys]);
  const cached = views.get(key);
  if (cached) return cached;
  const signing = row.keys.map((k) => ({ key_id: k.key_id, public_key_spki: k.spki }));
  // Each override level is kept only if the result is still a valid document (a bad enum or a
  // fraction in a site's JSON must not turn every config pull into a 500).
  const valid = (candidate: Record<string, unknown>) => ConfigBodySchema.safeParse({ ...candidate, signing_keys: signing }).success;
  let merged: Record<string, unknown> = { ...DEFAULT_AGENT_CONFIG };
  for (const override of [row.site_config, row.device_config, row.release_channel_override ? { release_channel: row.release_channel_override } : null]) {
    const next = mergeKnown(merged, override);
    if (valid(next)) merged = next;
  }
  const body = ConfigBodySchema.parse({ ...merged, signing_keys: signing });
  const revision = createHash('sha256').update(stableJson(body)).digest('hex').slice(0, 16);
  const view: DeviceConfigView = Object.freeze({
    config: Object.freeze({ revision, ...body }),
    siteId: row.site_id,
    siteName: row.site_name ?? null,
    signingKeyId: row.keys.find((k) => k.state === 'active')?.key_id ?? null,
  });
  if (views.size >= VIEW_CACHE_MAX) views.clear();
  views.set(key, view);
  return view;
}

const CONFIG_INPUTS = sql`d.site_id, s.name AS site_name, s.agent_config AS site_config, d.agent_config AS device_config, d.release_channel_override,
  (SELECT COALESCE(json_agg(json_build_object('key_id', k.key_id, 'spki', encode(k.public_key_spki, 'base64'), 'state', k.state) ORDER BY k.created_at DESC), '[]'::json)
     FROM signing_keys k WHERE k.state IN ('active', 'retiring')) AS keys`;

function viewOfRow(row: ConfigInputs): DeviceConfigView {
  // PostgreSQL's base64 breaks lines every 76 characters.
  return viewOf({ ...row, keys: row.keys.map((k) => ({ ...k, spki: k.spki.replace(/\s+/g, '') })) });
}

/** One round trip: the device's and site's overrides with the signing keys beside them. */
export async function loadDeviceConfig(db: Kysely<Database>, rowGuid: string): Promise<DeviceConfigView | undefined> {
  const { rows } = await sql<ConfigInputs>`SELECT ${CONFIG_INPUTS} FROM devices d LEFT JOIN sites s ON s.id = d.site_id WHERE d.guid = ${rowGuid}`.execute(db);
  return rows[0] ? viewOfRow(rows[0]) : undefined;
}

/**
 * `connect_agent`'s reads in one round trip (a reconnect storm runs it per agent): the config view
 * and the stored inventory section hashes (hex).
 */
export async function loadRegistration(db: Kysely<Database>, rowGuid: string): Promise<{ view: DeviceConfigView; hashes: Map<string, string> } | undefined> {
  const { rows } = await sql<ConfigInputs & { hashes: Record<string, string> }>`
    SELECT ${CONFIG_INPUTS},
      (SELECT COALESCE(json_object_agg(i.section, encode(i.hash, 'hex')), '{}'::json) FROM device_inventory i WHERE i.device_guid = d.guid) AS hashes
    FROM devices d LEFT JOIN sites s ON s.id = d.site_id WHERE d.guid = ${rowGuid}`.execute(db);
  const row = rows[0];
  return row ? { view: viewOfRow(row), hashes: new Map(Object.entries(row.hashes)) } : undefined;
}
