// The engine under test as a separate process (`borealis start`, its own BOREALIS_HOME, TLS on, the
// chosen database), so its CPU and RSS are measured apart from the simulator's; plus the HTTPS
// operator steps a benchmark needs (first admin, a site with an auto-approving enrolment code).

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { totpCodeAt } from '../src/domains/auth/factors/totp';
import { runtimePaths } from '../src/runtime-paths';

export const ENGINE_BIN = join(import.meta.dirname, '..', 'bin', 'borealis.mjs');

export interface EngineProcessOptions {
  readonly home: string;
  readonly port: number;
  readonly databaseUrl?: string;
  /** Write a V8 CPU profile of the engine into this directory when it exits. */
  readonly cpuProfDir?: string;
  readonly env?: Record<string, string>;
}

export interface EngineProcess {
  readonly pid: number;
  readonly url: string;
  readonly caPem: string;
  /**
   * SIGTERM, then wait for the exit (graceful stop: engine_shutdown, final flush), SIGKILL after
   * `timeoutMs`; resolves to the exit code (1: the engine's own 10 s stop deadline ran out).
   */
  stop(timeoutMs?: number): Promise<number | null>;
}

export async function startEngineProcess(options: EngineProcessOptions): Promise<EngineProcess> {
  const url = `https://127.0.0.1:${options.port}`;
  const log = createWriteStream(join(options.home, 'engine-process.log'), { flags: 'a' });
  const child: ChildProcess = spawn(
    process.execPath,
    [...(options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : []), ENGINE_BIN, 'start'],
    {
      env: {
        ...process.env,
        BOREALIS_HOME: options.home,
        BOREALIS_PORT: String(options.port),
        BOREALIS_HOST: '127.0.0.1',
        BOREALIS_TLS: 'on',
        BOREALIS_PUBLIC_URL: url,
        // BENCH_ENGINE_LOG_LEVEL=info keeps the engine's info lines (its stop steps, say) in engine.log.
        BOREALIS_LOG_LEVEL: process.env.BENCH_ENGINE_LOG_LEVEL ?? 'warn',
        // The simulator enrols thousands of hosts from a handful of loopback addresses (§10).
        BOREALIS_ENROLL_RATE_EXEMPT_CIDRS: '127.0.0.0/8',
        ...(options.databaseUrl ? { BOREALIS_DATABASE_URL: options.databaseUrl } : {}),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const caFile = join(runtimePaths(options.home, 'all').certificates, 'ca.pem');
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`engine exited with ${child.exitCode} during start-up (see ${join(options.home, 'engine-process.log')})`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('engine did not answer /health within 180 s');
    }
    if (existsSync(caFile)) {
      const caPem = readFileSync(caFile, 'utf8');
      const health = await httpsJson(url, caPem, 'GET', '/health').catch(() => null);
      if (health && health.status === 200) {
        return {
          pid: child.pid!,
          url,
          caPem,
          async stop(timeoutMs = 30_000) {
            if (child.exitCode !== null) return child.exitCode;
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
            const code = await exited;
            clearTimeout(timer);
            return code;
          },
        };
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface JsonReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

export function httpsJson(base: string, caPem: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonReply> {
  const target = new URL(path, base);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method, ca: caPem, headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.byteLength) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            parsed = text; // not JSON (a proxy page): keep the text for the error message
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Cookie jar + CSRF header, as the WebUI does, over real HTTPS. */
export function operatorHttps(base: string, caPem: string) {
  const jar = new Map<string, string>();
  const call = async (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const csrf = jar.get('borealis_csrf');
    if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
    const reply = await httpsJson(base, caPem, method, path, body, headers);
    const raw = reply.headers['set-cookie'];
    for (const line of Array.isArray(raw) ? raw : raw ? [raw] : []) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (/Max-Age=0/.test(line) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return reply;
  };
  return { call, get: (path: string) => call('GET', path), post: (path: string, body: unknown = {}) => call('POST', path, body) };
}
export type OperatorHttps = ReturnType<typeof operatorHttps>;

const BENCH_PASSPHRASE = 'bench aurora over the fjord 2026';
const BENCH_PASSWORD = 'bench-northern-lights-77';

/** First run: Aegis setup and the first admin (TOTP) through the bootstrap routes, then a signed-in client. */
export async function bootstrapAdmin(engine: EngineProcess, home: string): Promise<OperatorHttps> {
  const tokenFile = join(runtimePaths(home, 'all').secrets, 'setup_token.txt');
  const token = readFileSync(tokenFile, 'utf8').trim();
  const client = operatorHttps(engine.url, engine.caPem);
  const expectOk = (what: string, reply: JsonReply) => {
    if (reply.status !== 200) throw new Error(`${what}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body as Record<string, unknown>;
  };
  expectOk('aegis setup', await client.post('/api/bootstrap/aegis/setup', { cipher: BENCH_PASSPHRASE, setup_token: token }));
  const ticket = expectOk('admin setup', await client.post('/api/bootstrap/admin/setup', { username: 'bench', password: BENCH_PASSWORD, setup_token: token }));
  expectOk('admin verify', await client.post('/api/bootstrap/admin/mfa/verify', { pending_token: ticket.pending_token, code: totpCodeAt(String(ticket.secret), new Date()), setup_token: token }));
  return client;
}

/** A site whose enrolment code is auto-approved for the next `hours`. */
export async function autoApprovingSite(client: OperatorHttps, name: string, hours = 12): Promise<{ id: number; code: string }> {
  const site = await client.post('/api/sites', { name });
  if (site.status !== 201) throw new Error(`create site: ${site.status} ${JSON.stringify(site.body)}`);
  const { id, enrollment_code } = site.body as { id: number; enrollment_code: string };
  const window = await client.post(`/api/sites/${id}/auto-approval`, { auto_approve_until: new Date(Date.now() + hours * 3600_000).toISOString() });
  if (window.status !== 200) throw new Error(`auto-approval: ${window.status} ${JSON.stringify(window.body)}`);
  return { id, code: enrollment_code };
}
