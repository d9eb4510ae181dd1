// BOREALIS_TLS=on: the engine makes a local CA and a server certificate, serves HTTPS that a
// client trusting only ca.pem accepts, and reuses the same certificate on the next start.

import { readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeHome, startTestEngine } from '../test/engine-harness';
import { setUpEngine, signInAs, TEST_PASSWORD } from '../test/factories';

function postWithCa(url: string, ca: string, body: unknown): Promise<{ status: number; cookies: string[] }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(url, { ca, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cookies: ([] as string[]).concat(res.headers['set-cookie'] ?? []) }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function getWithCa(url: string, ca: string): Promise<{ status: number; body: string; hsts: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, hsts: res.headers['strict-transport-security'] as string | undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('TLS', () => {
  it('serves HTTPS on loopback trusted through the generated ca.pem and reuses the certificate', async () => {
    const home = makeHome();
    const certs = join(home, 'Services', 'api-backend', 'secrets', 'Certificates');
    const first = await startTestEngine({ dialect: 'pglite', home, listen: true, env: { BOREALIS_TLS: 'on' } });
    let firstCert: string;
    try {
      expect(first.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(first.engine.tls?.generated).toBe(true);
      const ca = readFileSync(join(certs, 'ca.pem'), 'utf8');
      const res = await getWithCa(`${first.url}/health`, ca);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).status).toBe('ok');
      expect(res.hsts).toBe('max-age=31536000');
      // Without the CA the connection is refused: the certificate is not publicly trusted.
      await expect(fetch(`${first.url}/health`)).rejects.toThrow();
      expect(statSync(join(certs, 'ca.key')).mode & 0o777).toBe(0o600);
      expect(statSync(join(certs, 'server.key')).mode & 0o777).toBe(0o600);
      expect(statSync(join(home, 'Services', 'api-backend', 'secrets')).mode & 0o777).toBe(0o700);
      expect(first.engine.tls?.caFingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      firstCert = readFileSync(join(certs, 'server.pem'), 'utf8');
    } finally {
      await first.engine.stop();
    }

    const second = await startTestEngine({ dialect: 'pglite', home, listen: true, env: { BOREALIS_TLS: 'on' } });
    try {
      expect(second.engine.tls?.generated).toBe(false);
      expect(readFileSync(join(certs, 'server.pem'), 'utf8')).toBe(firstCert);
      const ca = readFileSync(join(certs, 'ca.pem'), 'utf8');
      const res = await getWithCa(`${second.url}/health`, ca);
      expect(res.status).toBe(200);

      // Over HTTPS the session cookies carry Secure as well.
      await setUpEngine(second);
      const user = await signInAs(second, { role: 'viewer' });
      const login = await postWithCa(`${second.url}/api/auth/login`, ca, { username: user.username, password: TEST_PASSWORD });
      expect(login.status).toBe(200);
      const session = login.cookies.find((c) => c.startsWith('borealis_session='));
      expect(session).toMatch(/; HttpOnly; Secure$/);
      expect(login.cookies.find((c) => c.startsWith('borealis_csrf='))).toMatch(/; Secure$/);
    } finally {
      await second.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
