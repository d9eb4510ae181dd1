// The `borealis-agent` executable as an installer or operator runs it: exit codes and messages,
// enrolling against a real engine over TLS (a code it does not know, an operator's denial).

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeAgentRoot, removeAgentRoots, runAgent, VALID_CODE } from '../../test/agent-root';
import { createSite, startTlsEngine, type TlsEngine } from '../../test/enrolled-engine';

afterEach(removeAgentRoots);

const SERVER = 'https://rmm.example.com';
let engine: TlsEngine;
let caDir: string;
let caFile: string;
/** VALID_CODE is well-formed but no site of this engine has it: enroll ends with exit 4 (code refused). */
let engineArgs: string[];

beforeAll(async () => {
  engine = await startTlsEngine();
  caDir = mkdtempSync(join(tmpdir(), 'borealis-cli-ca-'));
  caFile = join(caDir, 'engine-ca.pem');
  writeFileSync(caFile, engine.caPem);
  engineArgs = ['enroll', '--server-url', engine.url, '--site-enrollment-code', VALID_CODE, '--engine-ca-pem', caFile];
}, 120_000);
afterAll(async () => {
  await engine?.close();
  if (caDir) rmSync(caDir, { recursive: true, force: true });
});

interface WrongCode {
  readonly hostname_claimed: string;
  readonly ssl_key_fingerprint_claimed: string;
  readonly enrollment_code_mask: string;
}

/** The refused attempts the engine lists to admins. */
async function wrongCodes(): Promise<WrongCode[]> {
  const res = await engine.admin.client.get('/api/admin/device-approvals?status=wrong_code');
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { wrong_codes: WrongCode[] }).wrong_codes;
}

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
    const b64 = Buffer.from(engine.caPem).toString('base64');
    const run = await runAgent(paths, ['enroll', '--server-url', engine.url, '--site-enrollment-code', VALID_CODE, '--engine-ca-b64', b64]);
    expect(run.code).toBe(4);
    expect((JSON.parse(readFileSync(paths.configFile, 'utf8')) as { trust: unknown }).trust).toEqual({ mode: 'ca', engine_ca_pem: engine.caPem });
    const both = await runAgent(makeAgentRoot(), [...engineArgs, '--engine-ca-b64', b64]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('either --engine-ca-pem or --engine-ca-b64');
    const bad = await runAgent(makeAgentRoot(), ['enroll', '--server-url', engine.url, '--site-enrollment-code', VALID_CODE, '--engine-ca-b64', 'bm90IGEgY2VydA==']);
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
    const run = await runAgent(paths, engineArgs);
    expect(run.code).toBe(4);
    expect(run.stdout).toContain(`contacting ${engine.url}`);
    expect(run.stderr).toContain('the engine refused the enrolment code');
    const file = JSON.parse(readFileSync(paths.configFile, 'utf8')) as Record<string, unknown>;
    expect(file).toMatchObject({
      schema_version: 1,
      server_url: engine.url,
      enrollment_code: '0123-4567-89AB-CDEF-0123-4567-89AB-CDEF',
      trust: { mode: 'ca', engine_ca_pem: engine.caPem },
    });
    expect(statSync(paths.configFile).mode & 0o777).toBe(0o600);
    expect(statSync(paths.stateDir).mode & 0o777).toBe(0o700);
    // The engine checks the body (client_nonce of 32 bytes, the key) and the DPoP proof by that key
    // before the code (§2.3), and records a wrong code with the key's fingerprint: so it got that far.
    const fingerprint = /fingerprint ([0-9a-f]{64})/.exec(run.stdout)?.[1];
    const attempt = (await wrongCodes()).find((w) => w.ssl_key_fingerprint_claimed === fingerprint);
    expect(attempt, JSON.stringify(await wrongCodes())).toBeDefined();
    expect(attempt).toMatchObject({ enrollment_code_mask: '0123…CDEF (32 chars)', hostname_claimed: hostname().split('.')[0] });
  });

  it('exits 3 when an operator denies the request, printing progress', async () => {
    const paths = makeAgentRoot();
    const site = await createSite(engine.admin, `Deny ${Date.now()}`);
    const running = runAgent(paths, ['enroll', '--server-url', engine.url, '--site-enrollment-code', site.code, '--engine-ca-pem', caFile]);
    // The request waits for an operator; the admin denies it through the approvals API.
    let approval: { id: string; approval_reference: string } | undefined;
    for (const deadline = Date.now() + 30_000; !approval; await new Promise((r) => setTimeout(r, 200))) {
      if (Date.now() > deadline) throw new Error('the enrolment request never reached the engine');
      const list = await engine.admin.client.get(`/api/admin/device-approvals?status=pending&site_id=${site.id}`);
      approval = (list.json() as { approvals: Array<{ id: string; approval_reference: string }> }).approvals[0];
    }
    const denied = await engine.admin.client.post(`/api/admin/device-approvals/${approval.id}/deny`, {});
    expect(denied.statusCode, denied.body).toBe(200);
    const run = await running;
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toContain(`waiting for approval (reference ${approval.approval_reference})`);
    // The engine reveals a denial only to a poll with a valid proof_sig by the enrolling key (§2.4).
    expect(run.stdout).toContain('enrolment denied (operator_denied)');
  }, 60_000);

  it('keeps the device key when enroll runs again', async () => {
    const paths = makeAgentRoot();
    const first = await runAgent(paths, engineArgs);
    const second = await runAgent(paths, engineArgs);
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

    const enroll = await runAgent(paths, engineArgs);
    const after = await runAgent(paths, ['status']);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/enrolled:\s+no\n/);
    expect(after.stdout).toMatch(/guid:\s+-\n/);
    expect(after.stdout).toMatch(new RegExp(`server url:\\s+${engine.url.replace(/\./g, '\\.')}`));
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
    await runAgent(paths, engineArgs);
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
