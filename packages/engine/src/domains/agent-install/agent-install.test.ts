// GET /api/agent/install/download/:platform: the installer with this engine's origin, CA and unit
// embedded (valid bash whose dry run targets this engine), the single-file agent built on first
// request, 404 for other platforms, and the per-address rate limit.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { renderInstallScript } from './install-script';

const CODE = '0123-4567-89AB-CDEF-0123-4567-89AB-CDEF';
let t: TestEngine;
let dir: string;

beforeAll(async () => {
  t = await startTestEngine({ dialect: 'pglite', listen: true, env: { BOREALIS_TLS: 'on' } });
  dir = mkdtempSync(join(tmpdir(), 'borealis-install-'));
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/agent/install/download/linux', () => {
  it('serves install.sh with the agent origin, the local CA and the systemd unit embedded, without auth', async () => {
    const res = await t.engine.app!.inject({ method: 'GET', url: '/api/agent/install/download/linux' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/x-shellscript');
    expect(res.headers['cache-control']).toBe('no-store');
    const script = res.body;
    const origin = new URL(t.url!).origin;
    expect(script).toContain(`EMBEDDED_SERVER_URL='${origin}'`);
    const caB64 = /^EMBEDDED_CA_PEM_B64='([^']*)'$/m.exec(script)?.[1] ?? '';
    expect(Buffer.from(caB64, 'base64').toString('utf8')).toContain('-----BEGIN CERTIFICATE-----');
    expect(script).toContain('ExecStart=/usr/local/bin/borealis-agent run');
    expect(script).not.toMatch(/^__BOREALIS_SERVICE_UNIT__$/m);

    const file = join(dir, 'install.sh');
    writeFileSync(file, script);
    execFileSync('bash', ['-n', file]);
    // shellcheck is optional on developer machines; where it is installed the script must pass it.
    const shellcheck = spawnSync('shellcheck', ['-S', 'info', file], { encoding: 'utf8' });
    if (!shellcheck.error) expect(shellcheck.stdout).toBe('');
    const dry = spawnSync('bash', [file, '--dry-run', '--site-enrollment-code', CODE], { encoding: 'utf8' });
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`server url: ${origin}`);
    expect(dry.stdout).toContain('trust: pinned CA -> /etc/borealis-agent/engine-ca.pem');
    expect(dry.stdout).toContain(`would download: ${origin}/api/agent/install/download/linux-agent`);
    expect(dry.stdout).toContain('--engine-ca-pem /etc/borealis-agent/engine-ca.pem');
    expect(dry.stdout).not.toContain(CODE);
  });

  it('answers 404 in the error envelope for an unknown platform', async () => {
    const res = await t.engine.app!.inject({ method: 'GET', url: '/api/agent/install/download/windows' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('GET /api/agent/install/download/linux-agent', () => {
  it('builds the single-file agent on first request and serves it', async () => {
    const res = await t.engine.app!.inject({ method: 'GET', url: '/api/agent/install/download/linux-agent' });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.body.startsWith('#!/usr/bin/env node')).toBe(true);
    const file = join(dir, 'borealis-agent.mjs');
    writeFileSync(file, res.rawPayload);
    const version = spawnSync(process.execPath, [file, 'version'], { encoding: 'utf8' });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  }, 60_000);
});

describe('install.sh argument checks (dry run)', () => {
  const template = () => renderInstallScript(
    execFileSync('cat', [join(import.meta.dirname, '../../../../../deploy/agent/install.sh')], { encoding: 'utf8' }),
    '[Unit]\nDescription=x\n[Service]\nExecStart=/usr/local/bin/borealis-agent run\n',
    { serverUrl: 'https://rmm.example.com', caPem: null },
  );
  const run = (args: string[]) => {
    const file = join(dir, 'plain-install.sh');
    writeFileSync(file, template());
    return spawnSync('bash', [file, ...args], { encoding: 'utf8' });
  };

  it('exits 2 naming the problem: missing or malformed code, unknown option, http URL, IP without a CA', () => {
    expect(run(['--dry-run'])).toMatchObject({ status: 2, stderr: expect.stringContaining('--site-enrollment-code is required') });
    expect(run(['--dry-run', '--site-enrollment-code', 'nope'])).toMatchObject({ status: 2, stderr: expect.stringContaining('must be 32 hex digits') });
    expect(run(['--dry-run', '--bogus'])).toMatchObject({ status: 2, stderr: expect.stringContaining('unknown argument: --bogus') });
    expect(run(['--dry-run', '--site-enrollment-code', CODE, '--server-url', 'http://rmm.example.com'])).toMatchObject({ status: 2, stderr: expect.stringContaining('must start with https://') });
    expect(run(['--dry-run', '--site-enrollment-code', CODE, '--server-url', 'https://10.0.0.5'])).toMatchObject({ status: 2, stderr: expect.stringContaining('needs a pinned CA') });
  });

  it('uses the system trust store when the engine has no local CA, and honours --no-start', () => {
    const dry = run(['--dry-run', '--site-enrollment-code', CODE, '--no-start']);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('trust: system trust store');
    expect(dry.stdout).toContain('service: install only');
    expect(dry.stdout).not.toContain('--engine-ca-pem');
    expect(dry.stdout).not.toContain('enable --now');
  });

  it('refuses values that cannot be embedded safely', () => {
    expect(() => renderInstallScript('x', 'y', { serverUrl: "https://evil'$(id)", caPem: null })).toThrow(/cannot be embedded/);
  });
});

describe('rate limit', () => {
  it('answers 429 after 60 downloads a minute from one address', async () => {
    let last = 0;
    for (let i = 0; i < 70 && last !== 429; i++) {
      last = (await t.engine.app!.inject({ method: 'GET', url: '/api/agent/install/download/linux', remoteAddress: '198.51.100.7' })).statusCode;
    }
    expect(last).toBe(429);
    const other = await t.engine.app!.inject({ method: 'GET', url: '/api/agent/install/download/linux', remoteAddress: '198.51.100.8' });
    expect(other.statusCode).toBe(200);
  });
});
