// The credential store through the real HTTP stack on PGlite and PostgreSQL: create, read, update
// with If-Match (DM20), delete, reset_required settling, and secrets that never come back out.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVELOPE_PATTERN } from '../aegis/cipher/envelope';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine, type SignedInAdmin } from '../../../test/factories';
import { SYSTEM_ACTOR } from '../audit/audit-log';
import { createCredentialService } from './credential-service';

const SECRET_FIELDS = ['password', 'private_key', 'private_key_passphrase', 'become_password'] as const;
const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

describe.each(DIALECTS)('credentials on %s', (dialect) => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  let siteId: number;
  /** Every secret a test sent; no response body may contain any of them. */
  const sent: string[] = [];
  const db = () => t.engine.ctx.db;
  const service = () => createCredentialService({ db: db(), clock: t.engine.ctx.clock, aegis: t.engine.ctx.security!.aegis, audit: t.engine.ctx.security!.audit });
  const track = <T extends { body: string }>(res: T): T => {
    for (const s of sent) expect(res.body).not.toContain(s);
    return res;
  };
  const remember = (body: Record<string, unknown>) => {
    for (const k of SECRET_FIELDS) if (typeof body[k] === 'string') sent.push(body[k]);
  };
  const create = async (body: Record<string, unknown>) => {
    remember(body);
    const res = track(await admin.client.post('/api/credentials', { credential_type: 'machine', connection_type: 'ssh', ...body }));
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: number; version: number; [k: string]: unknown };
  };
  const put = async (id: number, body: Record<string, unknown>, version?: number) => {
    remember(body);
    return track(await admin.client.request('PUT', `/api/credentials/${id}`, { body, headers: version === undefined ? {} : { 'if-match': String(version) } }));
  };
  const auditOf = (action: string, id: number) =>
    db().selectFrom('audit_events').selectAll().where('action', '=', action).where('target_id', '=', String(id)).orderBy('at').execute();

  beforeAll(async () => {
    t = await startTestEngine({ dialect });
    admin = await setUpEngine(t);
    siteId = ((await admin.client.post('/api/sites', { name: 'Home' })).json() as { id: number }).id;
  });
  afterAll(() => t?.close());

  it('creates a credential: flags but no secrets in the answer, envelopes in the database', async () => {
    const password = secret('pw');
    const privateKey = secret('-----BEGIN KEY-----');
    const made = await create({ name: 'linux-root', site_id: siteId, username: 'root', password, private_key: privateKey, become_method: 'sudo' });
    expect(made).toMatchObject({
      name: 'linux-root',
      site_id: siteId,
      username: 'root',
      become_method: 'sudo',
      has_password: true,
      has_private_key: true,
      has_private_key_passphrase: false,
      has_become_password: false,
      secret_state: 'ok',
      lost_secret_fields: [],
      version: 1,
    });
    const row = await db().selectFrom('credentials').selectAll().where('id', '=', made.id).executeTakeFirstOrThrow();
    expect(row.password_enc).toMatch(ENVELOPE_PATTERN);
    expect(row.private_key_enc).toMatch(ENVELOPE_PATTERN);
    expect(row.private_key_passphrase_enc).toBeNull();
    expect(row.become_password_enc).toBeNull();
    expect(await service().revealCredential(made.id, SYSTEM_ACTOR)).toMatchObject({ password, private_key: privateKey, private_key_passphrase: null, become_password: null });
    const [audit] = await auditOf('credential.created', made.id);
    expect(audit).toMatchObject({ actor_name: admin.username, site_id: siteId, details: { name: 'linux-root', secret_fields: ['password', 'private_key'] } });
    expect(JSON.stringify(audit!.details)).not.toContain(password);
  });

  it('lists and reads credentials without secrets', async () => {
    const made = await create({ name: 'win-admin', connection_type: 'winrm', credential_type: 'domain', username: 'CORP\\admin', password: secret('win') });
    const list = track(await admin.client.get('/api/credentials'));
    expect(list.statusCode).toBe(200);
    const names = (list.json() as { credentials: Array<{ name: string }> }).credentials.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['linux-root', 'win-admin']));
    const one = track(await admin.client.get(`/api/credentials/${made.id}`));
    expect(one.json()).toMatchObject({ id: made.id, site_id: null, connection_type: 'winrm', has_password: true });
    expect(Object.keys(one.json() as object).filter((k) => !k.startsWith('has_') && /password|private_key|passphrase/.test(k))).toEqual([]);
    expect((await admin.client.get('/api/credentials/999999')).statusCode).toBe(404);
  });

  it('refuses a duplicate name (409), an unknown site (422), an unknown field (422) and an empty update (422)', async () => {
    const dup = await admin.client.post('/api/credentials', { name: 'linux-root', credential_type: 'machine', connection_type: 'ssh' });
    expect([dup.statusCode, dup.json().error.code]).toEqual([409, 'conflict']);
    const site = await admin.client.post('/api/credentials', { name: 'nowhere', site_id: 999999, credential_type: 'machine', connection_type: 'ssh' });
    expect([site.statusCode, site.json().error.details]).toEqual([422, [{ path: 'site_id', message: 'no such site' }]]);
    const extra = await admin.client.post('/api/credentials', { name: 'x', credential_type: 'machine', connection_type: 'ssh', metadata: {} });
    expect(extra.statusCode).toBe(422);
    const made = await create({ name: 'empty-update' });
    const empty = await put(made.id, {});
    expect([empty.statusCode, empty.json().error.code]).toEqual([422, 'no_fields_to_update']);
  });

  it('updates: absent keeps, null clears, a string replaces; version rises; audit names fields only', async () => {
    const password = secret('keep');
    const become = secret('become');
    const made = await create({ name: 'edit-me', password, become_password: become, username: 'ops' });
    const replaced = secret('new-key');
    const res = await put(made.id, { description: 'edited', become_password: null, private_key: replaced }, made.version);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ description: 'edited', username: 'ops', has_password: true, has_become_password: false, has_private_key: true, version: 2 });
    expect(await service().revealCredential(made.id, SYSTEM_ACTOR)).toMatchObject({ password, become_password: null, private_key: replaced });
    const [audit] = await auditOf('credential.updated', made.id);
    expect(audit!.details).toEqual({ fields: ['become_password', 'description', 'private_key'] });
    expect(JSON.stringify(audit!.details)).not.toContain(replaced);
    const row = await db().selectFrom('credentials').select('private_key_enc').where('id', '=', made.id).executeTakeFirstOrThrow();
    expect(row.private_key_enc).toMatch(ENVELOPE_PATTERN);
  });

  it('answers 409 version_conflict for a stale If-Match and accepts quoted forms', async () => {
    const made = await create({ name: 'versioned' });
    expect((await put(made.id, { username: 'a' }, 1)).statusCode).toBe(200);
    const stale = await put(made.id, { username: 'b' }, 1);
    expect([stale.statusCode, stale.json().error.code]).toEqual([409, 'version_conflict']);
    const quoted = track(await admin.client.request('PUT', `/api/credentials/${made.id}`, { body: { username: 'c' }, headers: { 'if-match': 'W/"2"' } }));
    expect(quoted.json()).toMatchObject({ username: 'c', version: 3 });
    const bad = await admin.client.request('PUT', `/api/credentials/${made.id}`, { body: { username: 'd' }, headers: { 'if-match': 'soon' } });
    expect(bad.statusCode).toBe(422);
    expect((await put(made.id, { username: 'e' })).json()).toMatchObject({ username: 'e', version: 4 });
  });

  it('DM20: two PUTs with the same If-Match → one 200 and one 409; version rises by 1', async () => {
    const made = await create({ name: 'raced', password: secret('race') });
    const results = await Promise.all([put(made.id, { username: 'first' }, made.version), put(made.id, { username: 'second' }, made.version)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.statusCode === 409)!.json().error.code).toBe('version_conflict');
    const row = await db().selectFrom('credentials').select(['version', 'username']).where('id', '=', made.id).executeTakeFirstOrThrow();
    expect(row.version).toBe(made.version + 1);
    expect(row.username).toBe((results.find((r) => r.statusCode === 200)!.json() as { username: string }).username);
  });

  it('settles a reset_required credential field by field as its secrets are saved again', async () => {
    const made = await create({ name: 'after-reset', password: secret('lost'), become_password: secret('lost2') });
    await db()
      .updateTable('credentials')
      .set({ password_enc: null, become_password_enc: null, secret_state: 'reset_required', lost_secret_fields: ['password', 'become_password'], reset_at: new Date() })
      .where('id', '=', made.id)
      .execute();
    const listed = (await admin.client.get(`/api/credentials/${made.id}`)).json();
    expect(listed).toMatchObject({ secret_state: 'reset_required', lost_secret_fields: ['password', 'become_password'], has_password: false });
    const first = await put(made.id, { password: secret('again') });
    expect(first.json()).toMatchObject({ secret_state: 'reset_required', lost_secret_fields: ['become_password'], has_password: true });
    const second = await put(made.id, { become_password: secret('again2') });
    expect(second.json()).toMatchObject({ secret_state: 'ok', lost_secret_fields: [], has_become_password: true });
  });

  it('deletes a credential (204), then it is gone (404)', async () => {
    const made = await create({ name: 'short-lived', password: secret('bye') });
    const res = await admin.client.delete(`/api/credentials/${made.id}`);
    expect(res.statusCode).toBe(204);
    expect((await admin.client.get(`/api/credentials/${made.id}`)).statusCode).toBe(404);
    expect((await admin.client.delete(`/api/credentials/${made.id}`)).statusCode).toBe(404);
    expect(await auditOf('credential.deleted', made.id)).toEqual([expect.objectContaining({ details: { name: 'short-lived' } })]);
    await expect(service().revealCredential(made.id, SYSTEM_ACTOR)).rejects.toMatchObject({ status: 404 });
  });

  it('keeps every *_enc column an envelope or NULL, holding none of the secrets', async () => {
    const rows = await db().selectFrom('credentials').select(['password_enc', 'private_key_enc', 'private_key_passphrase_enc', 'become_password_enc']).execute();
    for (const row of rows) {
      for (const value of Object.values(row)) {
        if (value === null) continue;
        expect(value).toMatch(ENVELOPE_PATTERN);
        for (const s of sent) expect(value).not.toContain(s);
      }
    }
  });
});
