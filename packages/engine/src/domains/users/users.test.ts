// User administration through the real HTTP stack on PGlite and PostgreSQL (security.md §4.1,
// §5.3, §9.2; S13, S14, S24, S26, S28, S30): admin-only routes, no secrets on the wire, the
// last-admin rule, password and MFA resets, role changes and session revocation.

import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../clock';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { randomIp, setUpEngine, signInAs, TEST_PASSWORD, type SignedInAdmin } from '../../../test/factories';
import { operatorClient, totpCodeAt } from '../../../test/operator-client';

const NEW_PASSWORD = 'glacier-harbour-lantern-42';
const NEWER_PASSWORD = 'midnight-sun-over-tromso-9';

describe.each(DIALECTS)('user administration on %s', (dialect) => {
  const clock = createManualClock(new Date());
  let t: TestEngine;
  let admin: SignedInAdmin;
  beforeAll(async () => {
    t = await startTestEngine({ dialect, clock });
    admin = await setUpEngine(t);
  });
  afterAll(() => t?.close());

  const db = () => t.engine.ctx.db;
  const auditRows = (action: string) => db().selectFrom('audit_events').selectAll().where('action', '=', action).orderBy('at').orderBy('id').execute();
  const login = async (username: string, password: string) => {
    const client = operatorClient(t.engine.app!, { ip: randomIp() });
    const res = await client.post('/api/auth/login', { username, password });
    return { client, res };
  };
  /** Plants TOTP, two recovery codes and a passkey, as if the user had enrolled them. */
  const plantFactors = async (userId: string) => {
    const now = clock.now();
    const totp = t.engine.ctx.security!.aegis.encrypt({ table: 'users', column: 'totp_secret_enc', rowId: userId }, 'JBSWY3DPEHPK3PXP');
    await db().updateTable('users').set({ totp_secret_enc: totp, totp_enabled_at: now }).where('id', '=', userId).execute();
    await db()
      .insertInto('user_recovery_codes')
      .values([1, 2].map(() => ({ id: uuidv7(), user_id: userId, code_hash: randomBytes(32), created_at: now })))
      .execute();
    await db()
      .insertInto('user_passkeys')
      .values({ id: uuidv7(), user_id: userId, credential_id: randomBytes(16).toString('base64url'), public_key_enc: 'planted', sign_count: 0, transports: [], label: 'key', created_at: now })
      .execute();
  };

  it('S28: viewers and operators get 403 on every route of the users group', async () => {
    const routes = t.engine.routes().filter((r) => r.group === 'users' && r.method !== 'HEAD');
    expect(routes).toHaveLength(9);
    for (const role of ['viewer', 'operator'] as const) {
      const { client } = await signInAs(t, { role });
      for (const route of routes) {
        const url = route.url.replace(':username', admin.username);
        const res = await client.request(route.method as 'GET', url, route.method === 'POST' ? { body: {} } : {});
        expect(res.statusCode, `${role} ${route.method} ${route.url}`).toBe(403);
        expect(res.json().error.code).toBe('forbidden');
      }
    }
  });

  it('S30: the only admin can be neither demoted nor deleted; nobody deletes themselves', async () => {
    const demote = await admin.client.post(`/api/users/${admin.username}/role`, { role: 'operator' });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().error.code).toBe('last_admin');
    const del = await admin.client.delete(`/api/users/${admin.username.toUpperCase()}`);
    expect(del.statusCode).toBe(409);
    expect(del.json().error.code).toBe('last_admin');

    const second = await signInAs(t, { role: 'admin' });
    const self = await admin.client.delete(`/api/users/${admin.username}`);
    expect(self.statusCode).toBe(409);
    expect(self.json().error.code).toBe('conflict');
    expect((await admin.client.delete('/api/users/nobody-by-that-name')).statusCode).toBe(404);

    const gone = await admin.client.delete(`/api/users/${second.username}`);
    expect(gone.statusCode).toBe(204);
    expect((await second.client.get('/api/auth/me')).statusCode).toBe(401);
    const [deleted] = (await auditRows('user.deleted')).filter((r) => r.target_id === second.userId);
    expect(deleted).toMatchObject({ actor_id: admin.userId, request_id: gone.headers['x-request-id'] });
    const revoked = (await auditRows('session.revoked')).filter((r) => r.request_id === gone.headers['x-request-id']);
    expect(revoked).toHaveLength(1);
    expect(revoked[0]!.details).toMatchObject({ reason: 'admin_action' });
    expect((await admin.client.post(`/api/users/${admin.username}/role`, { role: 'viewer' })).json().error.code).toBe('last_admin');
  });

  it('creates a user and lists every user without a hash, seed or secret', async () => {
    const res = await admin.client.post('/api/users', { username: 'Freya', display_name: 'Freya North', role: 'User', password: NEW_PASSWORD });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      username: 'Freya',
      display_name: 'Freya North',
      role: 'operator',
      auth_source: 'local',
      mfa: { totp: false, passkeys: 0, recovery_codes_left: 0, exempt: false },
      auth_reset_required: false,
      password_change_required: true,
      last_login_at: null,
      disabled: false,
      site_assignments: [],
    });
    const [created] = (await auditRows('user.created')).filter((r) => r.target_id === res.json().id);
    expect(created!.request_id).toBe(res.headers['x-request-id']);

    const row = await db().selectFrom('users').selectAll().where('id', '=', res.json().id).executeTakeFirstOrThrow();
    const phc = await t.engine.ctx.security!.aegis.decrypt({ table: 'users', column: 'password_hash_enc', rowId: row.id }, row.password_hash_enc!, { type: 'system', id: null, name: null, ip: null, requestId: null });
    expect(phc).toMatch(/^\$argon2id\$v=19\$/);

    const list = await admin.client.get('/api/users');
    expect(list.statusCode).toBe(200);
    const users = list.json().users as Array<{ username: string; mfa: object }>;
    expect(users.map((u) => u.username)).toEqual(expect.arrayContaining(['Freya', admin.username]));
    expect(users.find((u) => u.username === admin.username)!.mfa).toEqual({ totp: true, passkeys: 0, recovery_codes_left: 10, exempt: false });
    expect(list.body).not.toMatch(/hash|enc|secret/i);

    const signIn = await login('freya', NEW_PASSWORD);
    expect(signIn.res.json().status).toBe('mfa_setup_required');
  });

  it('refuses a taken name in any case, a weak password and SHA-512 fields', async () => {
    const taken = await admin.client.post('/api/users', { username: 'FREYA', role: 'viewer', password: NEWER_PASSWORD });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('conflict');
    const weak = await admin.client.post('/api/users', { username: 'sigrid', role: 'viewer', password: 'sigrid' });
    expect(weak.statusCode).toBe(422);
    expect(weak.json().error).toMatchObject({ code: 'password_policy', reason: 'too_short' });
    const same = await admin.client.post('/api/users', { username: 'sigrid.long.name', role: 'viewer', password: 'Sigrid.Long.Name' });
    expect(same.json().error).toMatchObject({ code: 'password_policy', reason: 'matches_username' });
    const sha = await admin.client.post('/api/users', { username: 'sigrid', role: 'viewer', password_sha512: 'ab'.repeat(64) });
    expect(sha.statusCode).toBe(422);
    expect(sha.json().error.code).toBe('validation_failed');
    const resetSha = await admin.client.post('/api/users/freya/reset_password', { password: NEW_PASSWORD, password_sha512: 'ab'.repeat(64) });
    expect(resetSha.statusCode).toBe(422);
    expect(resetSha.json().error.code).toBe('validation_failed');
    const badRole = await admin.client.post('/api/users', { username: 'sigrid', role: 'root', password: NEWER_PASSWORD });
    expect(badRole.json().error.code).toBe('validation_failed');
    expect(await db().selectFrom('users').select('id').where('username', '=', 'sigrid').execute()).toHaveLength(0);
  });

  it('S13: a password reset ends the sessions and forces a change before anything else', async () => {
    const user = await signInAs(t, { role: 'operator' });
    await db().updateTable('users').set({ auth_reset_required: true }).where('id', '=', user.userId).execute();
    const reset = await admin.client.post(`/api/users/${user.username}/reset_password`, { password: NEW_PASSWORD });
    expect(reset.statusCode).toBe(200);
    expect(reset.json()).toMatchObject({ password_change_required: true, auth_reset_required: false });
    expect((await user.client.get('/api/aegis/status')).statusCode).toBe(401);
    const [audit] = (await auditRows('user.password_reset')).filter((r) => r.target_id === user.userId);
    expect(audit).toMatchObject({ request_id: reset.headers['x-request-id'], details: { reset_mfa: false } });
    expect((await auditRows('session.revoked')).filter((r) => r.request_id === reset.headers['x-request-id'])).toHaveLength(1);

    expect((await login(user.username, TEST_PASSWORD)).res.statusCode).toBe(401);
    const fresh = await login(user.username, NEW_PASSWORD);
    expect(fresh.res.json().status).toBe('ok');
    const locked = await fresh.client.get('/api/aegis/status');
    expect(locked.statusCode).toBe(423);
    expect(locked.json().error.code).toBe('auth_reset_required');
    const changed = await fresh.client.post('/api/auth/password/reset', { current_password: NEW_PASSWORD, new_password: NEWER_PASSWORD });
    expect(changed.statusCode).toBe(204);
    expect((await fresh.client.get('/api/aegis/status')).statusCode).toBe(200);
  });

  it('a password reset with reset_mfa also removes TOTP, recovery codes and passkeys', async () => {
    const user = await signInAs(t, { role: 'viewer' });
    await plantFactors(user.userId);
    const kept = await admin.client.post(`/api/users/${user.username}/reset_password`, { password: NEW_PASSWORD });
    expect(kept.json().mfa).toEqual({ totp: true, passkeys: 1, recovery_codes_left: 2, exempt: true });
    const reset = await admin.client.post(`/api/users/${user.username}/reset_password`, { password: NEWER_PASSWORD, reset_mfa: true });
    expect(reset.json().mfa).toEqual({ totp: false, passkeys: 0, recovery_codes_left: 0, exempt: true });
    const row = await db().selectFrom('users').selectAll().where('id', '=', user.userId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ totp_secret_enc: null, totp_enabled_at: null });
    expect(await db().selectFrom('user_recovery_codes').select('id').where('user_id', '=', user.userId).execute()).toHaveLength(0);
    const [audit] = (await auditRows('user.password_reset')).filter((r) => r.request_id === reset.headers['x-request-id']);
    expect(audit!.details).toMatchObject({ reset_mfa: true });
    expect((await admin.client.post('/api/users/nobody-by-that-name/reset_password', { password: NEW_PASSWORD })).statusCode).toBe(404);
  });

  it('a role change takes effect at once and ends the sessions', async () => {
    const user = await signInAs(t, { role: 'operator' });
    const res = await admin.client.post(`/api/users/${user.username}/role`, { role: 'viewer' });
    expect(res.statusCode).toBe(200);
    expect(res.json().role).toBe('viewer');
    expect((await user.client.get('/api/auth/me')).statusCode).toBe(401);
    const [audit] = (await auditRows('user.role_changed')).filter((r) => r.request_id === res.headers['x-request-id']);
    expect(audit).toMatchObject({ target_id: user.userId, details: { from: 'operator', to: 'viewer' } });
    expect((await admin.client.post(`/api/users/${user.username}/role`, { role: 'Admin' })).json().role).toBe('admin');
    expect((await admin.client.post(`/api/users/${user.username}/role`, { role: 'operator' })).json().role).toBe('operator');
  });

  it('MFA actions exempt, require and reset a user, each ending the sessions', async () => {
    const exempt = await admin.client.post('/api/users/freya/mfa', { action: 'exempt' });
    expect(exempt.json().mfa.exempt).toBe(true);
    const freya = await login('freya', NEW_PASSWORD);
    expect(freya.res.json().status).toBe('ok');
    const require = await admin.client.post('/api/users/freya/mfa', { action: 'require' });
    expect(require.json().mfa.exempt).toBe(false);
    expect((await freya.client.get('/api/auth/me')).statusCode).toBe(401);
    expect((await login('freya', NEW_PASSWORD)).res.json().status).toBe('mfa_setup_required');

    await plantFactors(exempt.json().id);
    const reset = await admin.client.post('/api/users/freya/mfa', { action: 'reset' });
    expect(reset.json().mfa).toEqual({ totp: false, passkeys: 0, recovery_codes_left: 0, exempt: false });
    const actions = (await auditRows('user.mfa_changed')).filter((r) => r.target_id === exempt.json().id).map((r) => r.details);
    expect(actions).toEqual([{ username: 'Freya', action: 'exempt' }, { username: 'Freya', action: 'require' }, { username: 'Freya', action: 'reset' }]);
    expect((await admin.client.post('/api/users/freya/mfa', { action: 'disable' })).statusCode).toBe(422);
  });

  it('S24: sessions/revoke ends every session of a user and counts them', async () => {
    const user = await signInAs(t, { role: 'operator' });
    const second = await login(user.username, TEST_PASSWORD);
    const res = await admin.client.post(`/api/users/${user.username}/sessions/revoke`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ revoked: 2 });
    expect((await user.client.get('/api/auth/me')).statusCode).toBe(401);
    expect((await second.client.get('/api/auth/me')).statusCode).toBe(401);
    const [audit] = await auditRows('user.sessions_revoked').then((rows) => rows.filter((r) => r.request_id === res.headers['x-request-id']));
    expect(audit).toMatchObject({ target_id: user.userId, actor_id: admin.userId, details: { count: 2 } });
    const sessions = (await auditRows('session.revoked')).filter((r) => r.request_id === res.headers['x-request-id']);
    expect(sessions.map((r) => r.details)).toEqual([expect.objectContaining({ reason: 'admin_action' }), expect.objectContaining({ reason: 'admin_action' })]);
    expect((await admin.client.post(`/api/users/${user.username}/sessions/revoke`)).json()).toEqual({ revoked: 0 });
  });

  it('S26: 16 min after sign-in the routes need a fresh second factor', async () => {
    clock.advance(16 * 60_000);
    const stale = await admin.client.get('/api/users');
    expect(stale.statusCode).toBe(401);
    expect(stale.json().error.code).toBe('mfa_required');
    const stepUp = await admin.client.post('/api/auth/mfa/verify', { code: totpCodeAt(admin.totpSecret, clock.now()) });
    expect(stepUp.statusCode).toBe(200);
    expect((await admin.client.get('/api/users')).statusCode).toBe(200);
  });
});
