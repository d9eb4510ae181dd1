// Configuration: environment over runtime.env over defaults, validation naming the variable.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig, wantsTls } from './config';

const homes: string[] = [];
function homeWithRuntimeEnv(content?: string): string {
  const home = mkdtempSync(join(tmpdir(), 'borealis-config-'));
  homes.push(home);
  if (content !== undefined) {
    mkdirSync(join(home, 'Deploy'), { recursive: true });
    writeFileSync(join(home, 'Deploy', 'runtime.env'), content);
  }
  return home;
}
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => `${p.variable}: ${p.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const config = loadConfig({ env: {}, cwd: '/srv/borealis' });
    expect(config).toMatchObject({
      home: '/srv/borealis/Engine',
      host: '127.0.0.1',
      port: 5000,
      databaseUrl: undefined,
      role: 'all',
      logLevel: 'info',
      tls: 'auto',
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(wantsTls(config)).toBe(false);
  });

  it('takes the environment over runtime.env over defaults', () => {
    const home = homeWithRuntimeEnv('# written by the deploy tool\nBOREALIS_PORT=6000\nBOREALIS_LOG_LEVEL="debug"\n');
    const fromFile = loadConfig({ env: { BOREALIS_HOME: home } });
    expect(fromFile.port).toBe(6000);
    expect(fromFile.logLevel).toBe('debug');
    expect(fromFile.sources.BOREALIS_PORT).toBe('runtime.env');
    const fromEnv = loadConfig({ env: { BOREALIS_HOME: home, BOREALIS_PORT: '7000' } });
    expect(fromEnv.port).toBe(7000);
    expect(fromEnv.sources.BOREALIS_PORT).toBe('env');
    expect(fromEnv.sources.BOREALIS_HOST).toBe('default');
  });

  it('names BOREALIS_PORT and what is allowed when it is not a port', () => {
    expect(problemsOf({ BOREALIS_PORT: 'abc' })).toEqual(['BOREALIS_PORT: must be an integer from 0 to 65535 (got "abc")']);
    expect(problemsOf({ BOREALIS_PORT: '70000' })[0]).toMatch(/^BOREALIS_PORT: must be an integer from 0 to 65535/);
  });

  it('lists every bad variable at once', () => {
    const problems = problemsOf({ BOREALIS_ROLE: 'boss', BOREALIS_TLS: 'maybe', BOREALIS_LOG_LEVEL: 'loud' });
    expect(problems).toEqual([
      'BOREALIS_ROLE: must be one of all, api, scheduler, site-worker (got "boss")',
      'BOREALIS_LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal (got "loud")',
      'BOREALIS_TLS: must be one of auto, on, off (got "maybe")',
    ]);
  });

  it('never repeats a database URL, which may hold a password, in its error', () => {
    const [problem] = problemsOf({ BOREALIS_DATABASE_URL: 'mysql://u:pa55word@db/x' });
    expect(problem).toMatch(/^BOREALIS_DATABASE_URL: must be a postgres/);
    expect(problem).not.toContain('pa55word');
  });

  it('sizes the PostgreSQL pool and its acquire timeout, within bounds', () => {
    const defaults = loadConfig({ env: {} });
    expect([defaults.databasePoolSize, defaults.databaseAcquireTimeoutMs]).toEqual([20, 5000]);
    const set = loadConfig({ env: { BOREALIS_DATABASE_POOL_SIZE: '40', BOREALIS_DATABASE_ACQUIRE_TIMEOUT_MS: '1500' } });
    expect([set.databasePoolSize, set.databaseAcquireTimeoutMs]).toEqual([40, 1500]);
    expect(problemsOf({ BOREALIS_DATABASE_POOL_SIZE: '0' })).toEqual(['BOREALIS_DATABASE_POOL_SIZE: must be a whole number of connections from 1 to 1000 (got "0")']);
    expect(problemsOf({ BOREALIS_DATABASE_POOL_SIZE: 'lots' })[0]).toMatch(/^BOREALIS_DATABASE_POOL_SIZE: must be a whole number/);
    expect(problemsOf({ BOREALIS_DATABASE_ACQUIRE_TIMEOUT_MS: '50' })[0]).toMatch(/^BOREALIS_DATABASE_ACQUIRE_TIMEOUT_MS: must be a whole number of milliseconds from 100 to 60000/);
  });

  it('requires the certificate and key together', () => {
    expect(problemsOf({ BOREALIS_TLS_CERT: '/etc/cert.pem' })[0]).toMatch(/^BOREALIS_TLS_KEY: /);
  });

  it('refuses TLS off on a public address without a trusted proxy', () => {
    expect(problemsOf({ BOREALIS_TLS: 'off', BOREALIS_HOST: '0.0.0.0' })[0]).toMatch(/^BOREALIS_TLS: off is only allowed/);
    expect(loadConfig({ env: { BOREALIS_TLS: 'off', BOREALIS_HOST: '0.0.0.0', BOREALIS_TRUSTED_PROXIES: '10.0.0.2' } }).trustedProxies).toEqual(['10.0.0.2']);
  });

  it('refuses the scheduler role on the embedded database', () => {
    expect(problemsOf({ BOREALIS_ROLE: 'scheduler' })[0]).toMatch(/^BOREALIS_DATABASE_URL: must be set for role scheduler/);
  });

  it('serves HTTPS when asked, when bound beyond loopback, or when given a certificate', () => {
    expect(wantsTls(loadConfig({ env: { BOREALIS_TLS: 'on' } }))).toBe(true);
    expect(wantsTls(loadConfig({ env: { BOREALIS_HOST: '0.0.0.0' } }))).toBe(true);
    expect(wantsTls(loadConfig({ env: { BOREALIS_TLS_CERT: 'c.pem', BOREALIS_TLS_KEY: 'k.pem' } }))).toBe(true);
  });

  it('keeps audit rows 365 days unless told otherwise', () => {
    expect(loadConfig({ env: {} }).auditRetentionDays).toBe(365);
    expect(loadConfig({ env: { BOREALIS_AUDIT_RETENTION_DAYS: '90' } }).auditRetentionDays).toBe(90);
    expect(loadConfig({ env: { BOREALIS_AUDIT_RETENTION_DAYS: ' 730 ' } }).auditRetentionDays).toBe(730);
  });

  it('refuses an audit retention below 90 days, naming BOREALIS_AUDIT_RETENTION_DAYS', () => {
    expect(problemsOf({ BOREALIS_AUDIT_RETENTION_DAYS: '30' })).toEqual([
      'BOREALIS_AUDIT_RETENTION_DAYS: must be at least 90 days (security.md §9.1) (got "30")',
    ]);
    expect(problemsOf({ BOREALIS_AUDIT_RETENTION_DAYS: '90.5' })[0]).toMatch(/^BOREALIS_AUDIT_RETENTION_DAYS: must be a whole number of days/);
    expect(problemsOf({ BOREALIS_AUDIT_RETENTION_DAYS: '-100' })[0]).toMatch(/^BOREALIS_AUDIT_RETENTION_DAYS: /);
  });

  it('stops `borealis start` with exit 2 naming BOREALIS_AUDIT_RETENTION_DAYS when it is below 90', () => {
    const bin = fileURLToPath(new URL('../bin/borealis.mjs', import.meta.url));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BOREALIS_')));
    const run = spawnSync(process.execPath, [bin, 'start'], {
      env: { ...env, BOREALIS_HOME: homeWithRuntimeEnv(), BOREALIS_AUDIT_RETENTION_DAYS: '30' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('BOREALIS_AUDIT_RETENTION_DAYS');
  });

  it('describes the effective configuration with the database password redacted', () => {
    const config = loadConfig({ env: { BOREALIS_DATABASE_URL: 'postgres://borealis:s3cret@db:5432/engine' } });
    const row = describeConfig(config).find((r) => r.variable === 'BOREALIS_DATABASE_URL');
    expect(row?.value).toBe('postgres://borealis:[redacted]@db:5432/engine');
    expect(JSON.stringify(describeConfig(config))).not.toContain('s3cret');
  });
});
