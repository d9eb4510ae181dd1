// The operator-trust journey through the real HTTP stack (security.md §12, S1–S6, S18 in part),
// on PGlite and PostgreSQL: setup token → Aegis → first admin with TOTP → sign-in → restart →
// unlock, with the gate closing every operator route until it opens.

import { chmodSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../clock';
import { createPostgresDatabase, DIALECTS, type TestPostgresDatabase } from '../../../test/databases';
import { makeHome, startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { operatorClient, totpCodeAt } from '../../../test/operator-client';

const PASSPHRASE = 'aurora over the fjord 2026';
const ADMIN_PASSWORD = 'northern-lights-keeper-77';

describe.each(DIALECTS)('operator trust journey on %s', (dialect) => {
  const clock = createManualClock(new Date());
  const home = makeHome();
  let postgres: TestPostgresDatabase | undefined;
  let t: TestEngine;
  afterAll(async () => {
    await t?.close();
    await postgres?.drop();
    rmSync(home, { recursive: true, force: true });
  });

  const start = async () => {
    if (dialect === 'postgres' && !postgres) postgres = await createPostgresDatabase('journey');
    t = await startTestEngine({ dialect, home, postgres, clock });
    return t;
  };

  let setupToken = '';
  let totpSecret = '';
  let adminCookie = '';
  /** Cookie values and CSRF tokens the journey was handed (S34 looks for them on disk). */
  const handedOut: string[] = [];

  it('S1: a fresh engine asks for Aegis setup and prints a setup token to stderr only', async () => {
    await start();
    const browser = operatorClient(t.engine.app!);
    const state = await browser.get('/api/bootstrap/state');
    expect(state.json()).toMatchObject({ phase: 'aegis_setup_required', configured: false, locked: true, setup_token_required: true });
    const secrets = join(home, 'Services', 'api-backend', 'secrets');
    setupToken = readFileSync(join(secrets, 'setup_token.txt'), 'utf8').trim();
    expect(setupToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(t.stderr()).toContain(setupToken);
    expect(statSync(join(secrets, 'setup_token.txt')).mode & 0o777).toBe(0o600);
    expect(statSync(secrets).mode & 0o777).toBe(0o700);
    const logs = join(home, 'Services', 'api-backend', 'logs');
    for (const f of readdirSync(logs)) expect(readFileSync(join(logs, f), 'utf8'), f).not.toContain(setupToken);
  });

  it('S1: a restart before setup reprints the same token', async () => {
    await t.engine.stop();
    await start();
    expect(t.stderr()).toContain(setupToken);
  });

  it('S4: before the gate opens every operator route answers 423 with the phase, while public routes answer', async () => {
    const browser = operatorClient(t.engine.app!);
    for (const route of t.engine.routes().filter((r) => (r.auth === 'operator' || r.auth === 'operator-admin') && r.method !== 'HEAD')) {
      const url = route.url.replace(/:([a-z_]+)/g, '00000000-0000-0000-0000-000000000000');
      const res = await browser.request(route.method as 'GET', url, route.method === 'GET' || route.method === 'DELETE' ? {} : { body: {} });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(423);
      expect(res.json().error).toMatchObject({ code: 'bootstrap_required', phase: 'aegis_setup_required' });
    }
    expect((await browser.get('/health')).statusCode).toBe(200);
    expect((await browser.get('/api/openapi.json')).statusCode).toBe(200);
    expect((await browser.post('/api/auth/login', { username: 'x', password: 'y' })).json().error.code).toBe('bootstrap_required');
  });

  it('S2: Aegis setup needs the right token and a strong passphrase, once', async () => {
    const browser = operatorClient(t.engine.app!);
    expect((await browser.post('/api/bootstrap/aegis/setup', { cipher: PASSPHRASE })).json().error.code).toBe('setup_token_required');
    const wrong = await browser.post('/api/bootstrap/aegis/setup', { cipher: PASSPHRASE }, { headers: { 'x-borealis-setup-token': 'A'.repeat(43) } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('setup_token_invalid');
    const audit = await t.engine.ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'bootstrap.setup_token_invalid').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.request_id).toBe(wrong.headers['x-request-id']);

    const weak = await browser.post('/api/bootstrap/aegis/setup', { cipher: 'elevenchars', setup_token: setupToken });
    expect(weak.statusCode).toBe(422);
    expect(weak.json().error).toMatchObject({ code: 'aegis_passphrase_too_weak', details: [{ path: 'cipher' }] });

    const ok = await browser.post('/api/bootstrap/aegis/setup', { cipher: PASSPHRASE, setup_token: setupToken });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ phase: 'admin_setup_required', configured: true, locked: false });
    expect((await browser.post('/api/bootstrap/aegis/setup', { cipher: PASSPHRASE, setup_token: setupToken })).json().error.code).toBe('aegis_already_initialized');
    const unlock = await browser.post('/api/bootstrap/aegis/unlock', { cipher: PASSPHRASE });
    expect(unlock.statusCode).toBe(409);
    expect(unlock.json().error).toMatchObject({ code: 'invalid_phase', phase: 'admin_setup_required' });
    // Six bootstrap requests so far this minute; the limit is ten per address.
    for (let i = 7; i <= 10; i += 1) expect((await browser.post('/api/bootstrap/aegis/unlock', { cipher: PASSPHRASE })).statusCode).toBe(409);
    const limited = await browser.post('/api/bootstrap/aegis/unlock', { cipher: PASSPHRASE });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toMatchObject({ code: 'rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    clock.advance(61_000);
  });

  it('S3: the first admin enrols TOTP and is signed in with a strict cookie and ten recovery codes', async () => {
    const browser = operatorClient(t.engine.app!);
    const weak = await browser.post('/api/bootstrap/admin/setup', { username: 'admin', password: 'short', setup_token: setupToken });
    expect(weak.json().error).toMatchObject({ code: 'password_policy', reason: 'too_short' });
    const sha = await browser.post('/api/bootstrap/admin/setup', { username: 'admin', password_sha512: 'ab'.repeat(64), setup_token: setupToken });
    expect(sha.statusCode).toBe(422);
    expect(sha.json().error.code).toBe('validation_failed');

    const ticket = await browser.post('/api/bootstrap/admin/setup', { username: 'admin', display_name: 'Ada Admin', password: ADMIN_PASSWORD, setup_token: setupToken });
    expect(ticket.statusCode).toBe(200);
    const body = ticket.json();
    expect(body.status).toBe('mfa_setup_required');
    expect(body.otpauth_url).toMatch(/^otpauth:\/\/totp\/Borealis:admin\?secret=[A-Z2-7]+&issuer=Borealis&algorithm=SHA1&digits=6&period=30$/);
    expect(body.qr_png_data_url).toMatch(/^data:image\/png;base64,/);
    totpSecret = body.secret;

    const wrongCode = await browser.post('/api/bootstrap/admin/mfa/verify', { pending_token: body.pending_token, code: '000000', setup_token: setupToken });
    expect(wrongCode.json().error.code).toBe('mfa_code_invalid');
    expect((await browser.get('/api/bootstrap/state')).json().phase).toBe('admin_setup_required');

    const done = await browser.post('/api/bootstrap/admin/mfa/verify', { pending_token: body.pending_token, code: totpCodeAt(totpSecret, clock.now()), setup_token: setupToken });
    expect(done.statusCode).toBe(200);
    const signedIn = done.json();
    expect(signedIn.user).toMatchObject({ username: 'admin', role: 'admin', mfa: { totp: true, recovery_codes_left: 10 } });
    expect(signedIn.recovery_codes).toHaveLength(10);
    const cookies = ([] as string[]).concat(done.headers['set-cookie'] ?? []);
    const session = cookies.find((c) => c.startsWith('borealis_session='))!;
    expect(session).toMatch(/; Path=\/; Max-Age=\d+; SameSite=Strict; HttpOnly$/);
    expect(cookies.find((c) => c.startsWith('borealis_csrf='))).not.toContain('HttpOnly');
    adminCookie = session.split(';')[0]!;
    for (const c of cookies) handedOut.push(c.split(';')[0]!.split('=')[1]!);

    expect((await browser.get('/api/bootstrap/state')).json().phase).toBe('login_required');
    expect(existsSync(join(home, 'Services', 'api-backend', 'secrets', 'setup_token.txt'))).toBe(false);
    await expect(t.engine.ctx.security!.setupTokens.verify(t.engine.ctx.db, setupToken)).rejects.toMatchObject({ code: 'setup_token_invalid' });

    const me = await browser.get('/api/auth/me');
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ username: 'admin', display_name: 'Ada Admin', role: 'admin' });
  });

  it('S23: an unsafe request without the CSRF token is refused; with it, logout works', async () => {
    const browser = operatorClient(t.engine.app!);
    browser.jar.set('borealis_session', adminCookie.split('=')[1]!);
    const csrf = (await browser.get('/api/auth/csrf')).json().csrf_token as string;
    handedOut.push(csrf);
    const refused = await browser.post('/api/auth/logout', {}, { csrf: false });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('csrf_failed');
    const foreign = await browser.post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD }, { headers: { origin: 'https://evil.example' } });
    expect(foreign.json().error.code).toBe('csrf_failed');
    const out = await browser.post('/api/auth/logout', {}, { headers: { 'x-csrf-token': csrf } });
    expect(out.statusCode).toBe(204);
    expect((await browser.get('/api/auth/me', { headers: { cookie: adminCookie } })).statusCode).toBe(401);
  });

  it('S18: password then TOTP signs in; a replayed code is refused; the ticket is not a session', async () => {
    const browser = operatorClient(t.engine.app!);
    const wrong = await browser.post('/api/auth/login', { username: 'admin', password: 'not-the-password-at-all' });
    const unknown = await browser.post('/api/auth/login', { username: 'nobody-here', password: 'not-the-password-at-all' });
    expect(wrong.statusCode).toBe(401);
    const strip = (b: string) => b.replace(/"request_id":"[^"]+"/, '');
    expect(strip(unknown.body)).toBe(strip(wrong.body));

    const first = await browser.post('/api/auth/login', { username: 'ADMIN', password: ADMIN_PASSWORD });
    expect(first.json()).toMatchObject({ status: 'mfa_required', expires_in: 300, methods: ['totp', 'recovery_code'] });
    const ticket = first.json().pending_token as string;
    expect((await browser.get('/api/auth/me', { headers: { cookie: `borealis_session=${ticket}` } })).statusCode).toBe(401);
    expect((await browser.get('/api/auth/me', { headers: { authorization: `Bearer ${ticket}` } })).statusCode).toBe(401);

    // The code used at enrolment belongs to a step already spent.
    const replay = await browser.post('/api/auth/mfa/verify', { pending_token: ticket, code: totpCodeAt(totpSecret, clock.now()) });
    expect(replay.json().error.code).toBe('mfa_code_invalid');
    clock.advance(30_000);
    const ok = await browser.post('/api/auth/mfa/verify', { pending_token: ticket, code: totpCodeAt(totpSecret, clock.now()) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user.username).toBe('admin');
    expect((await browser.get('/api/auth/me')).statusCode).toBe(200);
    adminCookie = `borealis_session=${browser.jar.get('borealis_session')}`;
    const used = await browser.post('/api/auth/mfa/verify', { pending_token: ticket, code: totpCodeAt(totpSecret, clock.now()) });
    expect(used.json().error.code).toBe('invalid_token');
  });

  it('S5/S6: after a restart the gate is locked; unlock bumps the epoch and kills older cookies', async () => {
    await t.engine.stop();
    await start();
    const browser = operatorClient(t.engine.app!);
    expect((await browser.get('/api/bootstrap/state')).json()).toMatchObject({ phase: 'aegis_unlock_required', locked: true, setup_token_required: false });
    const locked = await browser.get('/api/auth/me', { headers: { cookie: adminCookie } });
    expect(locked.statusCode).toBe(423);
    expect(locked.json().error.phase).toBe('aegis_unlock_required');

    const before = await sql<{ e: string }>`SELECT unlock_epoch::text AS e FROM aegis_cipher_state`.execute(t.engine.ctx.db);
    const bad = await browser.post('/api/bootstrap/aegis/unlock', { cipher: 'definitely not the passphrase' });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('aegis_passphrase_invalid');
    expect(await t.engine.ctx.db.selectFrom('audit_events').select('id').where('action', '=', 'aegis.unlock_failed').execute()).toHaveLength(1);
    for (let i = 2; i <= 5; i += 1) expect((await browser.post('/api/bootstrap/aegis/unlock', { cipher: `wrong passphrase ${i}` })).statusCode).toBe(401);
    const early = await browser.post('/api/bootstrap/aegis/unlock', { cipher: PASSPHRASE });
    expect(early.statusCode).toBe(429);
    expect(early.headers['retry-after']).toBe('1');
    clock.advance(1_000);

    const good = await browser.post('/api/bootstrap/aegis/unlock', { cipher: PASSPHRASE });
    expect(good.json()).toMatchObject({ phase: 'login_required', locked: false });
    const after = await sql<{ e: string }>`SELECT unlock_epoch::text AS e FROM aegis_cipher_state`.execute(t.engine.ctx.db);
    expect(Number(after.rows[0]!.e)).toBe(Number(before.rows[0]!.e) + 1);
    const stale = await browser.get('/api/auth/me', { headers: { cookie: adminCookie } });
    expect(stale.statusCode).toBe(401);
    expect(stale.json().error.code).toBe('unauthorized');

    clock.advance(30_000);
    const login = await browser.post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    const verified = await browser.post('/api/auth/mfa/verify', { pending_token: login.json().pending_token, code: totpCodeAt(totpSecret, clock.now()) });
    expect(verified.statusCode).toBe(200);
    expect((await browser.get('/api/auth/me')).json().username).toBe('admin');
  });

  it('S32: the journey left audit rows with actor address, outcome and request id, and no secret in details', async () => {
    const rows = await t.engine.ctx.db.selectFrom('audit_events').selectAll().execute();
    const actions = new Set(rows.map((r) => r.action));
    for (const action of [
      'bootstrap.setup_token_issued',
      'bootstrap.setup_token_invalid',
      'aegis.setup',
      'signing_key.created',
      'bootstrap.admin_created',
      'mfa.totp.enrolled',
      'auth.login.succeeded',
      'auth.login.failed',
      'auth.logout',
      'session.revoked',
      'aegis.unlock_failed',
      'aegis.unlock',
    ]) {
      expect(actions, action).toContain(action);
    }
    for (const row of rows.filter((r) => r.actor_type !== 'system')) {
      expect(row.actor_ip, row.action).not.toBeNull();
      expect(row.request_id, row.action).toMatch(/^[0-9a-f-]{36}$/);
      expect(['success', 'failure', 'denied']).toContain(row.outcome);
      const details = JSON.stringify(row.details);
      for (const secret of [PASSPHRASE, ADMIN_PASSWORD, totpSecret, setupToken]) expect(details).not.toContain(secret);
    }
  });

  it('S7: no protected column holds plaintext and no table holds the secrets of the journey', async () => {
    const db = t.engine.ctx.db;
    const { rows } = await sql<{ password_hash_enc: string; totp_secret_enc: string }>`SELECT password_hash_enc, totp_secret_enc FROM users`.execute(db);
    for (const row of rows) {
      expect(row.password_hash_enc).toMatch(/^aegis:v1:[0-9a-f]{8}:[A-Za-z0-9+/]+={0,2}$/);
      expect(row.totp_secret_enc).toMatch(/^aegis:v1:[0-9a-f]{8}:[A-Za-z0-9+/]+={0,2}$/);
    }
    const tables = await sql<{ table_name: string }>`SELECT table_name FROM information_schema.tables WHERE table_schema = 'engine'`.execute(db);
    for (const { table_name } of tables.rows) {
      const dump = JSON.stringify((await sql`SELECT * FROM ${sql.table(table_name)}`.execute(db)).rows);
      for (const secret of [PASSPHRASE, ADMIN_PASSWORD, totpSecret, setupToken]) expect(dump, `${table_name} holds a secret`).not.toContain(secret);
    }
  });

  it('S34: no file under Engine/ outside the database state holds a journey secret, cookie or CSRF token; secrets are 0600 in 0700 directories, and a loosened secret file is tightened at start', async () => {
    const secrets = [PASSPHRASE, ADMIN_PASSWORD, totpSecret, setupToken, ...handedOut].filter((x) => x.length >= 16);
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    const databaseState = join(home, 'Services', 'postgres-db', 'state');
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const path = join(dir, e.name);
        if (path === databaseState) return [];
        return e.isDirectory() ? [path, ...walk(path)] : [path];
      });
    const entries = walk(home);
    expect(entries.some((p) => p.endsWith('engine.log'))).toBe(true);
    for (const path of entries.filter((p) => statSync(p).isFile())) {
      const text = readFileSync(path).toString('latin1');
      for (const secret of secrets) expect(text.includes(secret), `${path} holds a secret of the journey`).toBe(false);
    }
    const secretsDir = join(home, 'Services', 'api-backend', 'secrets');
    for (const path of [secretsDir, ...walk(secretsDir)]) {
      const mode = statSync(path).mode & 0o777;
      expect(mode, path).toBe(statSync(path).isDirectory() ? 0o700 : 0o600);
    }
    await t.engine.stop();
    chmodSync(join(secretsDir, 'engine_secret.txt'), 0o644);
    await start();
    expect(statSync(join(secretsDir, 'engine_secret.txt')).mode & 0o777).toBe(0o600);
  });
});
