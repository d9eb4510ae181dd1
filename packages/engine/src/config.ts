// Engine configuration: one zod schema for every BOREALIS_* variable, merged as
// environment over Engine/Deploy/runtime.env over defaults, returned frozen.

import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { ENGINE_ROLES } from '@borealis/protocol';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export const TLS_MODES = ['auto', 'on', 'off'] as const;

/** The audit trail's triggers refuse to delete younger rows (security.md §9.1). */
export const MIN_AUDIT_RETENTION_DAYS = 90;

/** Variables whose values never appear in output (config dump, error messages). */
export const SECRET_VARIABLES = new Set(['BOREALIS_DATABASE_URL']);

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** A whole number within bounds, given as text (environment values are strings). */
/** An address or an address/prefix block, IPv4 or IPv6. */
function isCidr(text: string): boolean {
  const [address = '', prefix, extra] = text.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function wholeNumber(min: number, max: number, fallback: number, unit = '') {
  const range = `must be a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}`;
  return z
    .string()
    .trim()
    .regex(/^\d{1,9}$/, range)
    .transform(Number)
    .refine((n) => n >= min && n <= max, range)
    .default(fallback);
}

const VariablesSchema = z.object({
  BOREALIS_HOME: z.string().trim().min(1, 'must be a directory path').default('./Engine'),
  BOREALIS_HOST: z
    .string()
    .trim()
    .refine((v) => isIP(v) !== 0 || /^[A-Za-z0-9.-]{1,253}$/.test(v), 'must be an IP address or host name')
    .default('127.0.0.1'),
  BOREALIS_PORT: z
    .string()
    .trim()
    .regex(/^\d{1,5}$/, 'must be an integer from 0 to 65535')
    .transform(Number)
    .refine((n) => n <= 65535, 'must be an integer from 0 to 65535')
    .default(5000),
  BOREALIS_DATABASE_URL: optionalText.refine(
    (v) => v === undefined || /^postgres(ql)?:\/\//.test(v),
    'must be a postgres:// or postgresql:// URL, or unset for the embedded database',
  ),
  BOREALIS_DATABASE_POOL_SIZE: wholeNumber(1, 1000, 20, 'connections'),
  BOREALIS_DATABASE_ACQUIRE_TIMEOUT_MS: wholeNumber(100, 60_000, 5000, 'milliseconds'),
  BOREALIS_ROLE: z.enum(ENGINE_ROLES, { error: `must be one of ${ENGINE_ROLES.join(', ')}` }).default('all'),
  BOREALIS_LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  BOREALIS_PUBLIC_URL: optionalText.refine(
    (v) => v === undefined || /^https?:\/\/[^/\s]+(\/.*)?$/.test(v),
    'must be an http:// or https:// URL',
  ),
  BOREALIS_TLS: z.enum(TLS_MODES, { error: `must be one of ${TLS_MODES.join(', ')}` }).default('auto'),
  BOREALIS_TLS_CERT: optionalText,
  BOREALIS_TLS_KEY: optionalText,
  BOREALIS_TRUSTED_PROXIES: optionalText,
  BOREALIS_HOST_SECRET_FILE: optionalText,
  BOREALIS_ENROLL_RATE_EXEMPT_CIDRS: optionalText.refine(
    (v) => v === undefined || v.split(',').every((c) => isCidr(c.trim())),
    'must be a comma-separated list of addresses or CIDR blocks (10.0.0.0/8, fd00::/8)',
  ),
  BOREALIS_AUDIT_RETENTION_DAYS: z
    .string()
    .trim()
    .regex(/^\d{1,6}$/, `must be a whole number of days, at least ${MIN_AUDIT_RETENTION_DAYS}`)
    .transform(Number)
    .refine((n) => n >= MIN_AUDIT_RETENTION_DAYS, `must be at least ${MIN_AUDIT_RETENTION_DAYS} days (security.md §9.1)`)
    .default(365),
  BOREALIS_AUTH_HASH_CONCURRENCY: wholeNumber(1, 64, 2),
  BOREALIS_SESSION_IDLE_SECONDS: wholeNumber(60, 86_400, 1800, 'seconds'),
  BOREALIS_SESSION_MAX_SECONDS: wholeNumber(300, 30 * 86_400, 43_200, 'seconds'),
  BOREALIS_STEP_UP_SECONDS: wholeNumber(30, 86_400, 900, 'seconds'),
  BOREALIS_MFA_ISSUER: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters').default('Borealis'),
  BOREALIS_WEBAUTHN_RP_ID: optionalText.refine((v) => v === undefined || /^[a-z0-9.-]{1,253}$/i.test(v), 'must be a host name (no scheme or port)'),
  BOREALIS_WEBAUTHN_ORIGINS: optionalText.refine(
    (v) => v === undefined || v.split(',').every((o) => /^https?:\/\/[^/\s]+$/.test(o.trim())),
    'must be a comma-separated list of origins such as https://rmm.example.com',
  ),
  BOREALIS_PASSKEY_RP_NAME: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters').default('Borealis'),
  BOREALIS_TIMEZONE: optionalText.refine((v) => v === undefined || isIanaZone(v), 'must be an IANA time zone such as Europe/Berlin'),
  BOREALIS_WORK_LEASE_SECONDS: wholeNumber(30, 3600, 300, 'seconds'),
  BOREALIS_JOB_HISTORY_DAYS: wholeNumber(1, 3650, 30, 'days'),
  BOREALIS_SCHEDULER_MISSED_GRACE_SECONDS: wholeNumber(0, 86_400, 300, 'seconds'),
  BOREALIS_SITE_WORKER_CONCURRENCY: wholeNumber(1, 32, 7),
  BOREALIS_AGENT_CONNECT_RATE: wholeNumber(1, 100_000, 1000, 'new agent sockets per second'),
  BOREALIS_AGENT_CONNECT_QUEUE_MS: wholeNumber(0, 10_000, 5000, 'milliseconds'),
  BOREALIS_JOB_OUTPUT_MAX_BYTES: wholeNumber(64 * 1024, 16 * 1024 * 1024, 1024 * 1024, 'bytes per output stream'),
});

function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    // RangeError: unknown zone.
    return false;
  }
}

type Variables = z.infer<typeof VariablesSchema>;
export type ConfigVariable = keyof Variables;
export const CONFIG_VARIABLES = Object.keys(VariablesSchema.shape) as ConfigVariable[];

export interface EngineConfig {
  readonly home: string;
  readonly host: string;
  readonly port: number;
  readonly databaseUrl: string | undefined;
  /** PostgreSQL connections per engine process (PGlite has one). */
  readonly databasePoolSize: number;
  /** How long a request waits for a pooled connection before it is answered 503 `server_busy`. */
  readonly databaseAcquireTimeoutMs: number;
  readonly role: (typeof ENGINE_ROLES)[number];
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly publicUrl: string | undefined;
  readonly tls: (typeof TLS_MODES)[number];
  readonly tlsCert: string | undefined;
  readonly tlsKey: string | undefined;
  readonly trustedProxies: readonly string[];
  /** The host secret (security.md §8.2); every node of one installation must share this file. */
  readonly hostSecretFile: string | undefined;
  /** Addresses whose enrolment calls skip the per-address limits (agent-protocol §10, for benchmarks). */
  readonly enrollRateExemptCidrs: readonly string[];
  /** Audit rows older than this many days are swept (≥ 90). */
  readonly auditRetentionDays: number;
  readonly authHashConcurrency: number;
  readonly sessionIdleSeconds: number;
  readonly sessionMaxSeconds: number;
  readonly stepUpSeconds: number;
  readonly mfaIssuer: string;
  readonly webauthnRpId: string | undefined;
  readonly webauthnOrigins: readonly string[];
  readonly passkeyRpName: string;
  /** Default zone of schedules without one (automation.md §3.2); undefined = the host zone. */
  readonly timezone: string | undefined;
  /** Work-item lease length (automation.md §4.2, min 30). */
  readonly workLeaseSeconds: number;
  /** Scheduled-job history retention (automation.md §3.4). */
  readonly jobHistoryDays: number;
  /** How late a due occurrence may run before the missed-run policy applies (§4.4). */
  readonly schedulerMissedGraceSeconds: number;
  /** Concurrent scheduled_job items per site worker (§4.5). */
  readonly siteWorkerConcurrency: number;
  /** New agent sockets admitted per second per node (agent-protocol §5.1; burst 200). */
  readonly agentConnectRate: number;
  /** How long a new agent socket past the admission burst may wait for its turn (0: refused at once). */
  readonly agentConnectQueueMs: number;
  /** Stored output per stream of a job (automation.md §2.5). */
  readonly jobOutputMaxBytes: number;
  /** Where each effective value came from, for `borealis config`. */
  readonly sources: Readonly<Record<ConfigVariable, 'env' | 'runtime.env' | 'default'>>;
}

export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

/** Thrown when a variable is invalid; the CLI prints `message` and exits 2. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map((p) => `${p.variable}: ${p.message}`).join('; '));
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Values that win over everything (CLI flags such as `--role`). */
  readonly overrides?: Partial<Record<ConfigVariable, string>>;
}

export function loadConfig(options: LoadConfigOptions = {}): EngineConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const fromEnv = pickBorealis(env);
  const home = resolve(cwd, options.overrides?.BOREALIS_HOME ?? fromEnv.BOREALIS_HOME ?? './Engine');
  const fromFile = readRuntimeEnv(resolve(home, 'Deploy', 'runtime.env'));

  const merged: Record<string, string> = {};
  const sources = {} as Record<ConfigVariable, 'env' | 'runtime.env' | 'default'>;
  for (const name of CONFIG_VARIABLES) {
    const value = options.overrides?.[name] ?? fromEnv[name] ?? fromFile[name];
    sources[name] = options.overrides?.[name] !== undefined || fromEnv[name] !== undefined
      ? 'env'
      : fromFile[name] !== undefined ? 'runtime.env' : 'default';
    if (value !== undefined) merged[name] = value;
  }

  const parsed = VariablesSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? 'config');
        const raw = merged[variable];
        const shown = raw === undefined || SECRET_VARIABLES.has(variable) ? '' : ` (got ${JSON.stringify(raw)})`;
        return { variable, message: `${issue.message}${shown}` };
      }),
    );
  }
  const v = parsed.data;
  checkCombinations(v);
  return Object.freeze({
    home,
    host: v.BOREALIS_HOST,
    port: v.BOREALIS_PORT,
    databaseUrl: v.BOREALIS_DATABASE_URL,
    databasePoolSize: v.BOREALIS_DATABASE_POOL_SIZE,
    databaseAcquireTimeoutMs: v.BOREALIS_DATABASE_ACQUIRE_TIMEOUT_MS,
    role: v.BOREALIS_ROLE,
    logLevel: v.BOREALIS_LOG_LEVEL,
    publicUrl: v.BOREALIS_PUBLIC_URL,
    tls: v.BOREALIS_TLS,
    tlsCert: v.BOREALIS_TLS_CERT && resolve(cwd, v.BOREALIS_TLS_CERT),
    tlsKey: v.BOREALIS_TLS_KEY && resolve(cwd, v.BOREALIS_TLS_KEY),
    trustedProxies: Object.freeze((v.BOREALIS_TRUSTED_PROXIES ?? '').split(',').map((s) => s.trim()).filter(Boolean)),
    hostSecretFile: v.BOREALIS_HOST_SECRET_FILE && resolve(cwd, v.BOREALIS_HOST_SECRET_FILE),
    enrollRateExemptCidrs: Object.freeze((v.BOREALIS_ENROLL_RATE_EXEMPT_CIDRS ?? '').split(',').map((s) => s.trim()).filter(Boolean)),
    auditRetentionDays: v.BOREALIS_AUDIT_RETENTION_DAYS,
    authHashConcurrency: v.BOREALIS_AUTH_HASH_CONCURRENCY,
    sessionIdleSeconds: v.BOREALIS_SESSION_IDLE_SECONDS,
    sessionMaxSeconds: v.BOREALIS_SESSION_MAX_SECONDS,
    stepUpSeconds: v.BOREALIS_STEP_UP_SECONDS,
    mfaIssuer: v.BOREALIS_MFA_ISSUER,
    webauthnRpId: v.BOREALIS_WEBAUTHN_RP_ID,
    webauthnOrigins: Object.freeze((v.BOREALIS_WEBAUTHN_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean)),
    passkeyRpName: v.BOREALIS_PASSKEY_RP_NAME,
    timezone: v.BOREALIS_TIMEZONE,
    workLeaseSeconds: v.BOREALIS_WORK_LEASE_SECONDS,
    jobHistoryDays: v.BOREALIS_JOB_HISTORY_DAYS,
    schedulerMissedGraceSeconds: v.BOREALIS_SCHEDULER_MISSED_GRACE_SECONDS,
    siteWorkerConcurrency: v.BOREALIS_SITE_WORKER_CONCURRENCY,
    agentConnectRate: v.BOREALIS_AGENT_CONNECT_RATE,
    agentConnectQueueMs: v.BOREALIS_AGENT_CONNECT_QUEUE_MS,
    jobOutputMaxBytes: v.BOREALIS_JOB_OUTPUT_MAX_BYTES,
    sources: Object.freeze(sources),
  });
}

/** Whether this configuration serves HTTPS (ARCHITECTURE.md "TLS"). */
export function wantsTls(config: Pick<EngineConfig, 'tls' | 'host' | 'tlsCert'>): boolean {
  if (config.tls === 'on') return true;
  if (config.tls === 'off') return false;
  return !isLoopbackHost(config.host) || config.tlsCert !== undefined;
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function checkCombinations(v: Variables): void {
  if ((v.BOREALIS_TLS_CERT === undefined) !== (v.BOREALIS_TLS_KEY === undefined)) {
    const missing = v.BOREALIS_TLS_CERT === undefined ? 'BOREALIS_TLS_CERT' : 'BOREALIS_TLS_KEY';
    throw new ConfigError([{ variable: missing, message: 'BOREALIS_TLS_CERT and BOREALIS_TLS_KEY must be set together' }]);
  }
  if ((v.BOREALIS_ROLE === 'scheduler' || v.BOREALIS_ROLE === 'site-worker') && !v.BOREALIS_DATABASE_URL) {
    throw new ConfigError([
      { variable: 'BOREALIS_DATABASE_URL', message: `must be set for role ${v.BOREALIS_ROLE}: the embedded database serves one process only` },
    ]);
  }
  if (v.BOREALIS_TLS === 'off' && !isLoopbackHost(v.BOREALIS_HOST) && !v.BOREALIS_TRUSTED_PROXIES) {
    throw new ConfigError([
      {
        variable: 'BOREALIS_TLS',
        message: 'off is only allowed on a loopback address or behind BOREALIS_TRUSTED_PROXIES (TLS-terminating proxy)',
      },
    ]);
  }
}

function pickBorealis(env: Readonly<Record<string, string | undefined>>): Partial<Record<ConfigVariable, string>> {
  const out: Partial<Record<ConfigVariable, string>> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function readRuntimeEnv(file: string): Partial<Record<ConfigVariable, string>> {
  if (!existsSync(file)) return {};
  return pickBorealis(parseEnv(readFileSync(file, 'utf8')));
}

/** The effective configuration as `VARIABLE=value` pairs with secrets redacted. */
export function describeConfig(config: EngineConfig): Array<{ variable: ConfigVariable; value: string; source: string }> {
  const values: Record<ConfigVariable, string | undefined> = {
    BOREALIS_HOME: config.home,
    BOREALIS_HOST: config.host,
    BOREALIS_PORT: String(config.port),
    BOREALIS_DATABASE_URL: config.databaseUrl && redactUrl(config.databaseUrl),
    BOREALIS_DATABASE_POOL_SIZE: String(config.databasePoolSize),
    BOREALIS_DATABASE_ACQUIRE_TIMEOUT_MS: String(config.databaseAcquireTimeoutMs),
    BOREALIS_ROLE: config.role,
    BOREALIS_LOG_LEVEL: config.logLevel,
    BOREALIS_PUBLIC_URL: config.publicUrl,
    BOREALIS_TLS: config.tls,
    BOREALIS_TLS_CERT: config.tlsCert,
    BOREALIS_TLS_KEY: config.tlsKey,
    BOREALIS_TRUSTED_PROXIES: config.trustedProxies.join(','),
    BOREALIS_HOST_SECRET_FILE: config.hostSecretFile,
    BOREALIS_ENROLL_RATE_EXEMPT_CIDRS: config.enrollRateExemptCidrs.join(','),
    BOREALIS_AUDIT_RETENTION_DAYS: String(config.auditRetentionDays),
    BOREALIS_AUTH_HASH_CONCURRENCY: String(config.authHashConcurrency),
    BOREALIS_SESSION_IDLE_SECONDS: String(config.sessionIdleSeconds),
    BOREALIS_SESSION_MAX_SECONDS: String(config.sessionMaxSeconds),
    BOREALIS_STEP_UP_SECONDS: String(config.stepUpSeconds),
    BOREALIS_MFA_ISSUER: config.mfaIssuer,
    BOREALIS_WEBAUTHN_RP_ID: config.webauthnRpId,
    BOREALIS_WEBAUTHN_ORIGINS: config.webauthnOrigins.join(','),
    BOREALIS_PASSKEY_RP_NAME: config.passkeyRpName,
    BOREALIS_TIMEZONE: config.timezone,
    BOREALIS_WORK_LEASE_SECONDS: String(config.workLeaseSeconds),
    BOREALIS_JOB_HISTORY_DAYS: String(config.jobHistoryDays),
    BOREALIS_SCHEDULER_MISSED_GRACE_SECONDS: String(config.schedulerMissedGraceSeconds),
    BOREALIS_SITE_WORKER_CONCURRENCY: String(config.siteWorkerConcurrency),
    BOREALIS_AGENT_CONNECT_RATE: String(config.agentConnectRate),
    BOREALIS_AGENT_CONNECT_QUEUE_MS: String(config.agentConnectQueueMs),
    BOREALIS_JOB_OUTPUT_MAX_BYTES: String(config.jobOutputMaxBytes),
  };
  return CONFIG_VARIABLES.map((variable) => ({
    variable,
    value: values[variable] ?? '',
    source: config.sources[variable],
  }));
}

/** Keeps host, port and database name; drops the password. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, '$1:[redacted]@').replace(/([?&]password=)[^&]*/i, '$1[redacted]');
}
