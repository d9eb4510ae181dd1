// Sign-in, throttling and sessions through the HTTP stack (security.md S15–S17, S19, S20,
// S22, S24–S26), on PGlite and PostgreSQL, with a manual clock.

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../clock';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { randomIp, setUpEngine, signInAs, TEST_PASSWORD, type SignedInAdmin } from '../../../test/factories';
import { operatorClient, totpCodeAt } from '../../../test/operator-client';
import { SENSITIVE_PERMISSIONS, type Permission } from './permissions';

const strip = (body: string) => {
  const parsed = JSON.parse(body) as { error: { request_id?: string } };
  delete parsed.error.request_id;
  return JSON.stringify(parsed);
};

describe.each(DIALECTS)('sign-in and sessions on %s', (dialect) => {
  const clock = createManualClock(new Date());
  let t: TestEngine;
  let admin: SignedInAdmin;
  beforeAll(async () => {
    t = await startTestEngine({ dialect, clock });
    admin = await setUpEngine(t);
  });
  afterAll(() => t.close());

  /** A fresh admin session (earlier tests move the clock past idle timeouts). */
  const adminNow = async () => {
    clock.advance(30_000);
    const client = operatorClient(t.engine.app!, { ip: randomIp() });
    const first = await client.post('/api/auth/login', { username: 'admin', password: TEST_PASSWORD });
    const done = await client.post('/api/auth/mfa/verify', { pending_token: first.json().pending_token, code: totpCodeAt(admin.totpSecret, clock.now()) });
    expect(done.statusCode).toBe(200);
    return client;
  };

  const login = (username: string, password: string, ip = randomIp()) => operatorClient(t.engine.app!, { ip }).post('/api/auth/login', { username, password });

  it('S15: unknown user, wrong password, user without a hash and disabled user look alike, one argon2 each', async () => {
    const { db } = t.engine.ctx;
    const noHash = await signInAs(t, { role: 'viewer' });
    await db.updateTable('users').set({ password_hash_enc: null, auth_reset_required: true }).where('id', '=', noHash.userId).execute();
    const disabled = await signInAs(t, { role: 'viewer' });
    await db.updateTable('users').set({ disabled_at: clock.now() }).where('id', '=', disabled.userId).execute();
    const hasher = t.engine.ctx.security!.hasher;
    const bodies: string[] = [];
    for (const [username, password] of [['ghost-user', 'whatever-password'], ['admin', 'wrong-password-x'], [noHash.username, TEST_PASSWORD], [disabled.username, TEST_PASSWORD]] as const) {
      const before = hasher.stats().verifications;
      const res = await login(username, password);
      expect(res.statusCode, username).toBe(401);
      expect(hasher.stats().verifications - before, username).toBe(1);
      bodies.push(strip(res.body));
    }
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!).error.code).toBe('invalid_credentials');
  });

  it('S16: backoff after the 5th to 9th failure, a 15-minute lock at the 10th, the same for unknown names', async () => {
    for (const name of ['lockme', 'no-such-name']) {
      if (name === 'lockme') await t.engine.ctx.db.deleteFrom('users').where('username', '=', 'lockme').execute();
      const real = name === 'lockme' ? await signInAs(t, { role: 'operator', username: 'lockme' }) : null;
      const waits: number[] = [];
      for (let failure = 1; failure <= 10; failure += 1) {
        const res = await login(name, 'wrong-password-x');
        expect(res.statusCode, `${name} failure ${failure}`).toBe(401);
        if (failure >= 5 && failure <= 9) {
          const early = await login(name, 'wrong-password-x');
          expect(early.statusCode).toBe(429);
          waits.push(Number(early.headers['retry-after']));
          clock.advance(Number(early.headers['retry-after']) * 1000);
        }
      }
      expect(waits).toEqual([1, 2, 4, 8, 16]);
      const locked = await login(name, real ? TEST_PASSWORD : 'wrong-password-x');
      expect(locked.statusCode).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
      clock.advance(15 * 60_000 + 1000);
      if (real) expect((await login(name, TEST_PASSWORD)).json().status).toBe('ok');
    }
    const lockouts = await t.engine.ctx.db.selectFrom('audit_events').select('details').where('action', '=', 'auth.lockout').execute();
    expect(lockouts.filter((l) => l.details.scope === 'account')).toHaveLength(2);
  });

  it('S17: 20 failures from one address block it for 15 minutes while another address signs in', async () => {
    const ip = randomIp();
    for (let i = 0; i < 20; i += 1) expect((await login(`spray-${i}`, 'wrong-password-x', ip)).statusCode).toBe(401);
    const blocked = await login('admin', TEST_PASSWORD, ip);
    expect(blocked.statusCode).toBe(429);
    expect((await login('admin', TEST_PASSWORD)).statusCode).toBe(200);
    clock.advance(61_000);
    const busy = randomIp();
    for (let i = 0; i < 30; i += 1) await operatorClient(t.engine.app!, { ip: busy }).post('/api/auth/login', { username: `x${i}`, password: '' });
    expect((await login('admin', TEST_PASSWORD, busy)).statusCode).toBe(429);
    clock.advance(16 * 60_000);
  });

  it('S19: a user without a factor enrols TOTP through the ticket and is signed in', async () => {
    const user = await signInAs(t, { role: 'operator' });
    await t.engine.ctx.db.updateTable('users').set({ mfa_exempt: false }).where('id', '=', user.userId).execute();
    const client = operatorClient(t.engine.app!, { ip: randomIp() });
    const first = await client.post('/api/auth/login', { username: user.username, password: TEST_PASSWORD });
    expect(first.json()).toMatchObject({ status: 'mfa_setup_required', expires_in: 600 });
    const pending = first.json().pending_token as string;
    const setup = await client.post('/api/auth/mfa/totp/setup', { pending_token: pending });
    expect(setup.statusCode).toBe(200);
    const wrong = await client.post('/api/auth/mfa/totp/confirm', { pending_token: pending, code: '123456' });
    expect(wrong.json().error.code).toBe('mfa_code_invalid');
    expect((await t.engine.ctx.db.selectFrom('users').select('totp_enabled_at').where('id', '=', user.userId).executeTakeFirstOrThrow()).totp_enabled_at).toBeNull();
    const ok = await client.post('/api/auth/mfa/totp/confirm', { pending_token: pending, code: totpCodeAt(setup.json().secret, clock.now()) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().recovery_codes).toHaveLength(10);
    expect((await client.get('/api/auth/me')).json().mfa.totp).toBe(true);
  });

  it('S20: a recovery code signs in once; regeneration kills the old ten; only digests are stored', async () => {
    const adminClient = await adminNow();
    const codes = (await adminClient.post('/api/auth/recovery-codes')).json().recovery_codes as string[];
    expect(codes).toHaveLength(10);
    const use = async (code: string) => {
      const client = operatorClient(t.engine.app!, { ip: randomIp() });
      const first = await client.post('/api/auth/login', { username: 'admin', password: TEST_PASSWORD });
      return client.post('/api/auth/mfa/verify', { pending_token: first.json().pending_token, recovery_code: code.toLowerCase().replaceAll('-', ' ') });
    };
    expect((await use(codes[0]!)).statusCode).toBe(200);
    expect((await use(codes[0]!)).json().error.code).toBe('mfa_code_invalid');
    const fresh = (await adminClient.post('/api/auth/recovery-codes')).json().recovery_codes as string[];
    expect((await use(codes[1]!)).json().error.code).toBe('mfa_code_invalid');
    expect((await use(fresh[0]!)).statusCode).toBe(200);
    const stored = await sql<{ h: Buffer }>`SELECT code_hash AS h FROM user_recovery_codes`.execute(t.engine.ctx.db);
    expect(stored.rows.every((r) => r.h.length === 32)).toBe(true);
  });

  it('S22: idle 30 min ends a session; background polling does not extend it; 12 h is absolute', async () => {
    const user = await signInAs(t, { role: 'viewer' });
    clock.advance(20 * 60_000);
    expect((await user.client.get('/api/auth/me', { headers: { 'x-borealis-background': '1' } })).statusCode).toBe(200);
    clock.advance(11 * 60_000);
    expect((await user.client.get('/api/auth/me')).statusCode).toBe(401);

    const active = await signInAs(t, { role: 'viewer' });
    for (let h = 0; h < 12; h += 1) {
      clock.advance(20 * 60_000);
      expect((await active.client.get('/api/auth/me')).statusCode).toBe(200);
      clock.advance(20 * 60_000);
      expect((await active.client.get('/api/auth/me')).statusCode).toBe(200);
      clock.advance(20 * 60_000);
      const res = await active.client.get('/api/auth/me');
      if (h < 11) expect(res.statusCode).toBe(200);
      else expect(res.statusCode).toBe(401);
    }
    const hashes = await sql<{ h: Buffer }>`SELECT secret_hash AS h FROM operator_sessions`.execute(t.engine.ctx.db);
    expect(hashes.rows.every((r) => r.h.length === 32)).toBe(true);
  });

  it('S24: sessions are listed with the current one flagged; revoking another kills its cookie; a 21st revokes the oldest', async () => {
    const a = await signInAs(t, { role: 'operator' });
    const b = operatorClient(t.engine.app!, { ip: randomIp() });
    expect((await b.post('/api/auth/login', { username: a.username, password: TEST_PASSWORD })).statusCode).toBe(200);
    const list = (await a.client.get('/api/auth/sessions')).json().sessions as Array<{ id: string; current: boolean }>;
    expect(list).toHaveLength(2);
    expect(list.filter((s) => s.current)).toHaveLength(1);
    const other = list.find((s) => !s.current)!;
    expect((await (await adminNow()).delete(`/api/auth/sessions/${other.id}`)).statusCode).toBe(404);
    expect((await a.client.delete(`/api/auth/sessions/${other.id}`)).statusCode).toBe(204);
    expect((await b.get('/api/auth/me')).statusCode).toBe(401);

    const oldest = a.client;
    for (let i = 0; i < 20; i += 1) {
      clock.advance(1000);
      await operatorClient(t.engine.app!, { ip: randomIp() }).post('/api/auth/login', { username: a.username, password: TEST_PASSWORD });
    }
    expect((await oldest.get('/api/auth/me')).statusCode).toBe(401);
  });

  it('S25/S26: step-up rotates the cookie; † routes need a second factor within 15 minutes; a password change keeps only the current session', async () => {
    const adminClient = await adminNow();
    clock.advance(16 * 60_000);
    await adminClient.get('/api/auth/me');
    const stale = await adminClient.post('/api/users', { username: 'stepped', role: 'viewer', password: 'a-long-enough-password' });
    expect(stale.statusCode).toBe(401);
    expect(stale.json().error.code).toBe('mfa_required');
    const before = adminClient.jar.get('borealis_session');
    clock.advance(30_000);
    const stepUp = await adminClient.post('/api/auth/mfa/verify', { code: totpCodeAt(admin.totpSecret, clock.now()) });
    expect(stepUp.statusCode).toBe(200);
    expect(adminClient.jar.get('borealis_session')).not.toBe(before);
    // A separate client: a 401 clears the cookies of whoever presented the stale one.
    expect((await operatorClient(t.engine.app!).get('/api/auth/me', { headers: { cookie: `borealis_session=${before}` } })).statusCode).toBe(401);
    expect((await adminClient.post('/api/users', { username: 'stepped', role: 'viewer', password: 'a-long-enough-password' })).statusCode).toBe(201);

    const user = await signInAs(t, { role: 'operator' });
    const second = operatorClient(t.engine.app!, { ip: randomIp() });
    await second.post('/api/auth/login', { username: user.username, password: TEST_PASSWORD });
    const old = user.client.jar.get('borealis_session');
    const changed = await user.client.post('/api/auth/password/reset', { current_password: TEST_PASSWORD, new_password: 'a-brand-new-password-9' });
    expect(changed.statusCode).toBe(204);
    expect(user.client.jar.get('borealis_session')).not.toBe(old);
    expect((await user.client.get('/api/auth/me')).statusCode).toBe(200);
    expect((await second.get('/api/auth/me')).statusCode).toBe(401);
    expect((await operatorClient(t.engine.app!).get('/api/auth/me', { headers: { cookie: `borealis_session=${old}` } })).statusCode).toBe(401);
  });

  it('S19: replacing an active authenticator needs a recent second factor', async () => {
    const adminClient = await adminNow();
    clock.advance(16 * 60_000);
    await adminClient.get('/api/auth/me');
    const stale = await adminClient.post('/api/auth/mfa/totp/setup', {});
    expect(stale.statusCode).toBe(401);
    expect(stale.json().error.code).toBe('mfa_required');
    clock.advance(30_000);
    expect((await adminClient.post('/api/auth/mfa/verify', { code: totpCodeAt(admin.totpSecret, clock.now()) })).statusCode).toBe(200);
    expect((await adminClient.post('/api/auth/mfa/totp/setup', {})).statusCode).toBe(200);
  });

  it('S26: sixteen minutes after sign-in every † route answers 401 mfa_required; a step-up opens them again', async () => {
    const adminClient = await adminNow();
    clock.advance(16 * 60_000);
    await adminClient.get('/api/auth/me');
    const sensitive = t.engine.routes().filter((r) => r.method !== 'HEAD' && SENSITIVE_PERMISSIONS.has(r.permission as Permission));
    expect(sensitive.length).toBeGreaterThan(10);
    for (const route of sensitive) {
      const res = await adminClient.request(route.method as 'POST', route.url.replace(/:[a-z_]+/g, '1'), route.method === 'GET' ? {} : { body: {} });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(res.json().error.code).toBe('mfa_required');
    }
    clock.advance(30_000);
    expect((await adminClient.post('/api/auth/mfa/verify', { code: totpCodeAt(admin.totpSecret, clock.now()) })).statusCode).toBe(200);
    expect((await adminClient.get('/api/users')).statusCode).toBe(200);
  });

  it('limits a session to 600 operator API requests a minute', async () => {
    const user = await signInAs(t, { role: 'viewer' });
    for (let i = 0; i < 600; i += 1) expect((await user.client.get('/api/auth/me')).statusCode).toBe(200);
    const limited = await user.client.get('/api/auth/me');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    clock.advance(61_000);
    expect((await user.client.get('/api/auth/me')).statusCode).toBe(200);
  });

  it('refuses sign-in and bootstrap bodies over 16 KiB with 413', async () => {
    const big = 'x'.repeat(17 * 1024);
    const login = await operatorClient(t.engine.app!, { ip: randomIp() }).post('/api/auth/login', { username: 'admin', password: big });
    expect(login.statusCode).toBe(413);
    expect(login.json().error.code).toBe('payload_too_large');
    const unlock = await operatorClient(t.engine.app!, { ip: randomIp() }).post('/api/bootstrap/aegis/unlock', { cipher: big });
    expect(unlock.statusCode).toBe(413);
  });
});
