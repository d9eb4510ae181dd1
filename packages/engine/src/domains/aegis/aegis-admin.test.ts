// Aegis administration through the HTTP stack (security.md S9–S13): passphrase change, resumable
// data-key rotation, force reset and admin recovery, on PGlite and PostgreSQL.

import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../clock';
import { createPostgresDatabase, DIALECTS, type TestPostgresDatabase } from '../../../test/databases';
import { makeHome, startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine, TEST_PASSPHRASE, TEST_PASSWORD } from '../../../test/factories';
import { operatorClient, totpCodeAt } from '../../../test/operator-client';
import { insertAssembly, insertJob } from '../../../test/scheduling-fixtures';
import { PROTECTED_COLUMNS } from './protected-columns';

const NEW_PASSPHRASE = 'a brand new aegis passphrase 7';
const ENVELOPE = /^aegis:v1:[0-9a-f]{8}:[A-Za-z0-9+/]+={0,2}$/;

async function envelopes(t: TestEngine): Promise<string[]> {
  const out: string[] = [];
  for (const c of PROTECTED_COLUMNS) {
    const { rows } = await sql<{ v: string }>`SELECT ${sql.ref(c.column)} AS v FROM ${sql.table(c.table)} WHERE ${sql.ref(c.column)} IS NOT NULL ORDER BY 1`.execute(t.engine.ctx.db);
    out.push(...rows.map((r) => r.v));
  }
  return out;
}

async function seedCredentials(t: TestEngine, count: number, firstId = 1): Promise<void> {
  const { db, security } = t.engine.ctx;
  const now = new Date();
  const end = firstId + count;
  for (let start = firstId; start < end; start += 200) {
    const rows = [];
    for (let id = start; id < Math.min(end, start + 200); id += 1) {
      rows.push({
        id,
        name: `cred-${id}`,
        credential_type: 'machine' as const,
        connection_type: 'ssh' as const,
        password_enc: security!.aegis.encrypt({ table: 'credentials', column: 'password_enc', rowId: id }, `secret-${id}`),
        created_at: now,
        updated_at: now,
      });
    }
    await db.insertInto('credentials').values(rows).execute();
  }
}

/** Per table, the row versions (`xmin`) present now; a rewritten or new row shows a new xmin. */
async function rowVersions(t: TestEngine): Promise<Map<string, string[]>> {
  const db = t.engine.ctx.db;
  const { rows: tables } = await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`.execute(db);
  const out = new Map<string, string[]>();
  for (const { name } of tables) {
    const { rows } = await sql<{ x: string }>`SELECT xmin::text AS x FROM ${sql.table(name)}`.execute(db);
    out.set(name, rows.map((r) => r.x));
  }
  return out;
}

/** Tables with a row that was not there, at that version, in `before`. */
function writtenTables(before: Map<string, string[]>, after: Map<string, string[]>): string[] {
  return [...after].filter(([name, xs]) => xs.some((x) => !(before.get(name) ?? []).includes(x))).map(([name]) => name);
}

describe.each(DIALECTS)('Aegis administration on %s', (dialect) => {
  const clock = createManualClock(new Date());
  const home = makeHome();
  let postgres: TestPostgresDatabase | undefined;
  let t: TestEngine;
  let totpSecret = '';
  afterAll(async () => {
    await t?.close();
    await postgres?.drop();
    rmSync(home, { recursive: true, force: true });
  });
  const start = async (extra: { rotationBatchLimit?: number } = {}) => {
    if (dialect === 'postgres' && !postgres) postgres = await createPostgresDatabase('aegis');
    t = await startTestEngine({ dialect, home, postgres, clock, ...extra });
    return t;
  };
  const unlock = async (cipher: string) => operatorClient(t.engine.app!).post('/api/bootstrap/aegis/unlock', { cipher });
  const signIn = async () => {
    clock.advance(30_000);
    const client = operatorClient(t.engine.app!);
    const login = await client.post('/api/auth/login', { username: 'admin', password: TEST_PASSWORD });
    const done = await client.post('/api/auth/mfa/verify', { pending_token: login.json().pending_token, code: totpCodeAt(totpSecret, clock.now()) });
    expect(done.statusCode).toBe(200);
    return client;
  };

  it('DM23/S9: a passphrase change rewrites only aegis_cipher_state and aegis_data_keys, no envelope; after a restart only the new passphrase unlocks', async () => {
    await start();
    const admin = await setUpEngine(t);
    totpSecret = admin.totpSecret;
    await seedCredentials(t, 3);
    const before = await envelopes(t);
    const versionsBefore = await rowVersions(t);
    const res = await admin.client.post('/api/aegis/rotate', { current_cipher: TEST_PASSPHRASE, new_cipher: NEW_PASSPHRASE, rotate_data_key: false });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', rotation: null });
    expect(await envelopes(t)).toEqual(before);
    // audit_events only gains the change's audit row: the table is append-only (DM5), its old rows stay.
    const versionsAfter = await rowVersions(t);
    expect(writtenTables(versionsBefore, versionsAfter)).toEqual(['aegis_cipher_state', 'aegis_data_keys', 'audit_events']);
    expect(versionsBefore.get('audit_events')!.every((x) => versionsAfter.get('audit_events')!.includes(x))).toBe(true);
    expect(versionsAfter.get('audit_events')!.length).toBeGreaterThan(versionsBefore.get('audit_events')!.length);
    const wrong = await admin.client.post('/api/aegis/rotate', { current_cipher: 'not the current passphrase', rotate_data_key: true });
    expect(wrong.json().error.code).toBe('aegis_passphrase_invalid');

    await t.engine.stop();
    await start();
    expect((await unlock(TEST_PASSPHRASE)).json().error.code).toBe('aegis_passphrase_invalid');
    expect((await unlock(NEW_PASSPHRASE)).json().phase).toBe('login_required');
  });

  it('DM23/S10/S11: a data-key rotation interrupted after its first batch resumes from its cursor; afterwards no envelope names the old key_id and its wrapped_key is NULL', async () => {
    await t.engine.stop();
    await start({ rotationBatchLimit: 1 });
    await unlock(NEW_PASSPHRASE);
    await seedCredentials(t, 1200, 4);
    const plaintextBefore = 'secret-777';
    const admin = await signIn();
    const oldKey = (await admin.get('/api/aegis/status')).json().active_key_id as string;
    const res = await admin.post('/api/aegis/rotate', { current_cipher: NEW_PASSPHRASE });
    expect(res.statusCode).toBe(202);
    expect(res.json().rotation).toMatchObject({ state: 'running', done: 0 });
    const total = res.json().rotation.total as number;
    expect(total).toBeGreaterThan(1200);
    await t.engine.ctx.security!.rotation.idle();
    const again = await admin.post('/api/aegis/rotate', { current_cipher: NEW_PASSPHRASE });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('aegis_rotation_in_progress');
    const partial = (await admin.get('/api/aegis/status')).json().rotation;
    expect(partial.state).toBe('running');
    expect(partial.done).toBeGreaterThan(0);
    expect(partial.done).toBeLessThan(total);

    // "Crash": stop, restart without the batch limit, unlock: the worker resumes from the cursor.
    await t.engine.stop();
    await start();
    await unlock(NEW_PASSPHRASE);
    await t.engine.ctx.security!.rotation.idle();
    const admin2 = await signIn();
    const status = (await admin2.get('/api/aegis/status')).json();
    expect(status.rotation).toMatchObject({ state: 'completed', done: total, total });
    expect(status.active_key_id).not.toBe(oldKey);
    const all = await envelopes(t);
    expect(all.every((v) => ENVELOPE.test(v) && v.startsWith(`aegis:v1:${status.active_key_id}:`))).toBe(true);
    const retired = await t.engine.ctx.db.selectFrom('aegis_data_keys').selectAll().where('key_id', '=', oldKey).executeTakeFirstOrThrow();
    expect(retired).toMatchObject({ state: 'retired', wrapped_key: null });
    const row = await t.engine.ctx.db.selectFrom('credentials').select(['id', 'password_enc']).where('name', '=', 'cred-777').executeTakeFirstOrThrow();
    const plain = await t.engine.ctx.security!.aegis.decrypt({ table: 'credentials', column: 'password_enc', rowId: row.id }, row.password_enc!, { type: 'system', id: null, name: 'test', ip: null, requestId: null });
    expect(plain).toBe(plaintextBefore);
  });

  it('S12/S13: force reset needs step-up and the exact phrase, destroys every secret, and the admin recovers', async () => {
    const admin = await signIn();
    clock.advance(16 * 60_000);
    await admin.get('/api/auth/me');
    const stale = await admin.post('/api/aegis/force_reset', { confirm: 'FORCE RESET', password: TEST_PASSWORD });
    expect(stale.statusCode).toBe(401);
    expect(stale.json().error.code).toBe('mfa_required');
    clock.advance(30_000);
    const stepUp = await admin.post('/api/auth/mfa/verify', { code: totpCodeAt(totpSecret, clock.now()) });
    expect(stepUp.statusCode).toBe(200);
    expect((await admin.post('/api/aegis/force_reset', { confirm: 'force reset', password: TEST_PASSWORD })).json().error.code).toBe('confirmation_mismatch');
    expect((await admin.post('/api/aegis/force_reset', { confirm: 'FORCE RESET', password: 'wrong-password-here' })).json().error.code).toBe('invalid_credentials');

    // Step 4: a job running with a credential that held a secret is disabled; one without is left alone.
    const db = t.engine.ctx.db;
    const assembly = await insertAssembly(db);
    const job = { assemblyGuid: assembly, targets: [{ kind: 'all_devices' }], schedule: { type: 'every_hour', start: '2030-01-01T00:00:00Z' }, nextOccurrenceAt: new Date('2030-01-01T00:00:00Z') };
    const withCredential = await insertJob(db, job);
    const withoutCredential = await insertJob(db, job);
    const cred1 = await db.selectFrom('credentials').select('id').where('name', '=', 'cred-1').executeTakeFirstOrThrow();
    await db.updateTable('scheduled_jobs').set({ credential_id: cred1.id }).where('id', '=', withCredential).execute();

    const res = await admin.post('/api/aegis/force_reset', { confirm: 'FORCE RESET', password: TEST_PASSWORD });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ affected_users: 1, affected_credentials: 1203, retired_signing_keys: 1, disabled_jobs: 1 });
    const jobs = await db.selectFrom('scheduled_jobs').select(['id', 'enabled', 'disabled_reason']).where('id', 'in', [withCredential, withoutCredential]).orderBy('id').execute();
    expect(jobs).toEqual([
      { id: withCredential, enabled: false, disabled_reason: 'credential_reset_required' },
      { id: withoutCredential, enabled: true, disabled_reason: null },
    ]);
    expect(await envelopes(t)).toEqual([]);
    const creds = await t.engine.ctx.db.selectFrom('credentials').select(['secret_state', 'lost_secret_fields']).where('name', '=', 'cred-1').executeTakeFirstOrThrow();
    expect(creds).toEqual({ secret_state: 'reset_required', lost_secret_fields: ['password'] });
    expect(await t.engine.ctx.db.selectFrom('user_recovery_codes').select('id').execute()).toEqual([]);
    expect((await admin.get('/api/auth/me')).statusCode).toBe(423);
    const browser = operatorClient(t.engine.app!);
    expect((await browser.get('/api/bootstrap/state')).json()).toMatchObject({ phase: 'aegis_setup_required', setup_token_required: true });
    expect(await t.engine.ctx.db.selectFrom('audit_events').select('severity').where('action', '=', 'aegis.force_reset').execute()).toEqual([{ severity: 'high' }]);

    const token = t.engine.ctx.security!.setupTokens.current()!;
    expect(t.stderr()).toContain(token);
    expect((await browser.post('/api/bootstrap/aegis/setup', { cipher: TEST_PASSPHRASE, setup_token: token })).json().phase).toBe('admin_recovery_required');
    const ticket = await browser.post('/api/bootstrap/admin/recover', { username: 'admin', password: 'a-recovered-admin-password', setup_token: token });
    expect(ticket.statusCode).toBe(200);
    const recovered = await browser.post('/api/bootstrap/admin/mfa/verify', {
      pending_token: ticket.json().pending_token,
      code: totpCodeAt(ticket.json().secret, clock.now()),
      setup_token: token,
    });
    expect(recovered.statusCode).toBe(200);
    expect(recovered.json().user).toMatchObject({ username: 'admin', role: 'admin' });
    expect((await browser.get('/api/bootstrap/state')).json().phase).toBe('login_required');
  });
});
