// The `borealis-agent` executable as an installer or operator runs it: exit codes and messages.

import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeAgentRoot, removeAgentRoots, runAgent, VALID_CODE } from '../../test/agent-root';
import { startHttpsStub, type HttpsStub, type SeenRequest, type StubAnswer } from '../../test/https-stub';
import { makeTestPki, type TestPki } from '../../test/tls-fixtures';

afterEach(removeAgentRoots);

const SERVER = 'https://rmm.example.com';
let pki: TestPki;
let engine: HttpsStub;
let answer: (request: SeenRequest) => StubAnswer = () => ({ status: 403, body: { error: { code: 'invalid_enrollment_code', message: 'Unknown enrolment code', request_id: 'r1' } } });
/** A TLS stand-in that refuses the code, so enroll finishes quickly with exit 4 (code refused). */
let stubUrl: string;
let stubArgs: string[];

beforeAll(async () => {
  pki = makeTestPki();
  engine = await startHttpsStub({ key: pki.serverKey, cert: pki.serverCert }, (r) => answer(r));
  stubUrl = `https://127.0.0.1:${engine.port}`;
  stubArgs = ['enroll', '--server-url', stubUrl, '--site-enrollment-code', VALID_CODE, '--engine-ca-pem', pki.caFile];
});
afterAll(async () => {
  await engine.close();
  pki.remove();
});

describe('borealis-agent --validate-config', () => {
  it('exits 2 naming the file when agent.json is missing', async () => {
    const paths = makeAgentRoot();
    const run = await runAgent(paths, ['--validate-config']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${paths.configFile}: does not exist`);
  });

  it('exits 0 with OK for a valid file and 2 naming the key for an invalid one', async () => {
    const paths = makeAgentRoot();
    mkdirSync(paths.configDir, { recursive: true });
    writeFileSync(paths.configFile, JSON.stringify({ schema_version: 1, server_url: SERVER }));
    const ok = await runAgent(paths, ['--validate-config']);
    expect(ok).toMatchObject({ code: 0, stdout: 'agent config ok\n' });

    writeFileSync(paths.configFile, JSON.stringify({ schema_version: 1, server_url: SERVER, trust: { mode: 'pinned' } }));
    const bad = await runAgent(paths, ['--validate-config']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${paths.configFile}: key "trust.mode" must be one of system, ca, spki`);
  });
});

describe('borealis-agent enroll', () => {
  it('exits 2 naming --site-enrollment-code for a malformed code, without echoing it', async () => {
    const paths = makeAgentRoot();
    const run = await runAgent(paths, ['enroll', '--server-url', SERVER, '--site-enrollment-code', 'SECRET-BUT-WRONG']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--site-enrollment-code must be 32 hex digits');
    expect(run.stderr).not.toContain('SECRET-BUT-WRONG');
    expect(existsSync(paths.configFile)).toBe(false);
  });

  it('exits 2 naming --server-url for http or an IP without a pinned CA', async () => {
    const paths = makeAgentRoot();
    const http = await runAgent(paths, ['enroll', '--server-url', 'http://rmm.example.com', '--site-enrollment-code', VALID_CODE]);
    expect(http.code).toBe(2);
    expect(http.stderr).toContain('--server-url must use https://');
    const ip = await runAgent(paths, ['enroll', '--server-url', 'https://192.0.2.10', '--site-enrollment-code', VALID_CODE]);
    expect(ip.code).toBe(2);
    expect(ip.stderr).toContain('--server-url an IP address or localhost is accepted only with a pinned CA');
  });

  it('exits 2 naming --engine-ca-pem when the file is missing or holds no certificate', async () => {
    const paths = makeAgentRoot();
    const missing = await runAgent(paths, ['enroll', '--server-url', SERVER, '--site-enrollment-code', VALID_CODE, '--engine-ca-pem', '/nonexistent/ca.pem']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--engine-ca-pem cannot read /nonexistent/ca.pem (ENOENT)');
    const notPem = `${paths.root}/not-a-cert.pem`;
    writeFileSync(notPem, 'hello');
    const bad = await runAgent(paths, ['enroll', '--server-url', SERVER, '--site-enrollment-code', VALID_CODE, '--engine-ca-pem', notPem]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('holds no PEM certificate');
  });

  it('takes the CA inline with --engine-ca-b64, and refuses it together with --engine-ca-pem', async () => {
    const paths = makeAgentRoot();
    const b64 = Buffer.from(readFileSync(pki.caFile, 'utf8')).toString('base64');
    const run = await runAgent(paths, ['enroll', '--server-url', stubUrl, '--site-enrollment-code', VALID_CODE, '--engine-ca-b64', b64]);
    expect(run.code).toBe(4);
    expect((JSON.parse(readFileSync(paths.configFile, 'utf8')) as { trust: unknown }).trust).toEqual({ mode: 'ca', engine_ca_pem: readFileSync(pki.caFile, 'utf8') });
    const both = await runAgent(makeAgentRoot(), [...stubArgs, '--engine-ca-b64', b64]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('either --engine-ca-pem or --engine-ca-b64');
    const bad = await runAgent(makeAgentRoot(), ['enroll', '--server-url', stubUrl, '--site-enrollment-code', VALID_CODE, '--engine-ca-b64', 'bm90IGEgY2VydA==']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--engine-ca-b64 the value holds no PEM certificate');
  });

  it('exits 2 when a required option is missing', async () => {
    const run = await runAgent(makeAgentRoot(), ['enroll', '--server-url', SERVER]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('enroll needs --site-enrollment-code');
  });

  it('writes the config and key with a pinned CA, sends a DPoP-proved request, and exits 4 when the code is refused', async () => {
    const paths = makeAgentRoot();
    const run = await runAgent(paths, stubArgs);
    expect(run.code).toBe(4);
    expect(run.stdout).toContain(`contacting ${stubUrl}`);
    expect(run.stderr).toContain('the engine refused the enrolment code');
    const file = JSON.parse(readFileSync(paths.configFile, 'utf8')) as Record<string, unknown>;
    expect(file).toMatchObject({
      schema_version: 1,
      server_url: stubUrl,
      enrollment_code: '0123-4567-89AB-CDEF-0123-4567-89AB-CDEF',
      trust: { mode: 'ca', engine_ca_pem: readFileSync(pki.caFile, 'utf8') },
    });
    expect(statSync(paths.configFile).mode & 0o777).toBe(0o600);
    expect(statSync(paths.stateDir).mode & 0o777).toBe(0o700);
    const request = engine.seen.at(-1);
    expect(request?.url).toBe('/api/agent/enroll/request');
    expect(request?.headers.dpop).toBeDefined();
    expect(request?.headers.authorization).toBeUndefined();
    const body = JSON.parse(request?.body ?? '{}') as Record<string, unknown>;
    expect(body).toMatchObject({ platform: 'linux', enrollment_code: '0123-4567-89AB-CDEF-0123-4567-89AB-CDEF' });
    expect(Buffer.from(String(body.client_nonce), 'base64')).toHaveLength(32);
  });

  it('exits 3 when an operator denies the request, printing progress', async () => {
    const paths = makeAgentRoot();
    const reference = '0e3c8a52-61a4-4c3d-9d0e-4b8b4d7e5f10';
    const nonce = Buffer.alloc(32, 7).toString('base64');
    answer = (r) =>
      r.url === '/api/agent/enroll/request'
        ? { status: 200, body: { status: 'pending', approval_reference: reference, server_nonce: nonce, poll_after_ms: 10, expires_at: '2026-11-27T00:00:00Z', auto_approved: false, signing_key: 'MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=', signing_key_id: '0123456789abcdef', server_time: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } }
        : { status: 200, body: { status: 'denied', reason: 'operator_denied' } };
    try {
      const run = await runAgent(paths, stubArgs);
      expect(run.code).toBe(3);
      expect(run.stdout).toContain(`waiting for approval (reference ${reference})`);
      expect(run.stdout).toContain('enrolment denied (operator_denied)');
      const poll = JSON.parse(engine.seen.at(-1)?.body ?? '{}') as Record<string, unknown>;
      expect(poll).toMatchObject({ approval_reference: reference });
      expect(Buffer.from(String(poll.proof_sig), 'base64')).toHaveLength(64);
    } finally {
      answer = () => ({ status: 403, body: { error: { code: 'invalid_enrollment_code', message: 'Unknown enrolment code', request_id: 'r1' } } });
    }
  });

  it('keeps the device key when enroll runs again', async () => {
    const paths = makeAgentRoot();
    const first = await runAgent(paths, stubArgs);
    const second = await runAgent(paths, stubArgs);
    const fingerprint = (out: string) => /fingerprint ([0-9a-f]{64})/.exec(out)?.[1];
    expect(first.stdout).toContain('device key created');
    expect(second.stdout).toContain('device key kept');
    expect(fingerprint(second.stdout)).toBe(fingerprint(first.stdout));
  });
});

describe('borealis-agent status', () => {
  it('reports not configured before enroll, then the server and key fingerprint, never the code', async () => {
    const paths = makeAgentRoot();
    const before = await runAgent(paths, ['status']);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/enrolled:\s+no \(not configured/);

    const enroll = await runAgent(paths, stubArgs);
    const after = await runAgent(paths, ['status']);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/enrolled:\s+no\n/);
    expect(after.stdout).toMatch(/guid:\s+-\n/);
    expect(after.stdout).toMatch(new RegExp(`server url:\\s+${stubUrl.replace(/\./g, '\\.')}`));
    expect(after.stdout).toMatch(/last heartbeat:\s+never/);
    expect(after.stdout).toContain(/fingerprint ([0-9a-f]{64})/.exec(enroll.stdout)?.[1]);
    expect(after.stdout).not.toMatch(/0123-4567/i);
  });

  it('exits 2 naming the key when agent.json is invalid', async () => {
    const paths = makeAgentRoot();
    mkdirSync(paths.configDir, { recursive: true });
    writeFileSync(paths.configFile, JSON.stringify({ schema_version: 1, server_url: 'http://rmm.example.com' }));
    const run = await runAgent(paths, ['status']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('key "server_url"');
  });
});

describe('borealis-agent uninstall', () => {
  it('refuses without --yes (exit 2, says how) and removes the files with it', async () => {
    const paths = makeAgentRoot();
    await runAgent(paths, stubArgs);
    mkdirSync(`${paths.root}/etc/systemd/system`, { recursive: true });
    writeFileSync(`${paths.root}/etc/systemd/system/borealis-agent.service`, '[Unit]\n');

    const refused = await runAgent(paths, ['uninstall']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('borealis-agent uninstall --yes');
    expect(existsSync(paths.configFile)).toBe(true);

    const done = await runAgent(paths, ['uninstall', '--yes']);
    expect(done.code).toBe(0);
    expect(existsSync(paths.configDir)).toBe(false);
    expect(existsSync(paths.stateDir)).toBe(false);
    expect(existsSync(`${paths.root}/etc/systemd/system/borealis-agent.service`)).toBe(false);
    expect(existsSync(`${paths.root}/etc/systemd/system/borealis-agent.service`)).toBe(false);
    expect((await runAgent(paths, ['status'])).stdout).toContain('(missing)');
  });
});

describe('borealis-agent usage', () => {
  it('prints help with exit 0', async () => {
    const run = await runAgent(makeAgentRoot(), ['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('enroll --server-url URL --site-enrollment-code CODE [--engine-ca-pem FILE | --engine-ca-b64 B64]');
  });

  it('exits 2 for an unknown command or option, and for an option of another command', async () => {
    const paths = makeAgentRoot();
    expect((await runAgent(paths, ['frobnicate'])).code).toBe(2);
    expect((await runAgent(paths, ['status', '--bogus'])).code).toBe(2);
    const stray = await runAgent(paths, ['status', '--yes']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--yes does not apply to status');
  });

  it('run exits 2 naming the file when there is no config', async () => {
    const paths = makeAgentRoot();
    const run = await runAgent(paths, ['run']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${paths.configFile}: does not exist`);
  });

  it('names a bad option value and exits 2', async () => {
    const run = await runAgent(makeAgentRoot(), ['enroll', '--server-url', 'ftp://x', '--site-enrollment-code', VALID_CODE]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--server-url must use https://');
    expect(run.stderr).toContain('"ftp://x"');
  });
});
