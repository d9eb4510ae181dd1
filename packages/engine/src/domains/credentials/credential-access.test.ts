// Who reaches which credential (security.md §7, S28, S29) and what a tampered envelope does (S8),
// through the real HTTP stack on PGlite and PostgreSQL.

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine, signInAs, type SignedInAdmin } from '../../../test/factories';
import { SYSTEM_ACTOR } from '../audit/audit-log';
import { createCredentialService } from './credential-service';

describe.each(DIALECTS)('credential access on %s', (dialect) => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  const ids = { siteA: 0, siteB: 0, siteC: 0, credA: 0, credB: 0, credC: 0, credNone: 0 };
  const db = () => t.engine.ctx.db;
  const service = () => createCredentialService({ db: db(), clock: t.engine.ctx.clock, aegis: t.engine.ctx.security!.aegis, audit: t.engine.ctx.security!.audit });
  const site = async (name: string) => ((await admin.client.post('/api/sites', { name })).json() as { id: number }).id;
  const credential = async (name: string, siteId: number | null, extra: Record<string, unknown> = {}) => {
    const res = await admin.client.post('/api/credentials', { name, site_id: siteId, credential_type: 'machine', connection_type: 'ssh', password: `${name}-secret-pw`, ...extra });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { id: number }).id;
  };

  beforeAll(async () => {
    t = await startTestEngine({ dialect });
    admin = await setUpEngine(t);
    ids.siteA = await site('A');
    ids.siteB = await site('B');
    ids.siteC = await site('C');
    ids.credA = await credential('cred-a', ids.siteA, { become_password: 'cred-a-secret-become' });
    ids.credB = await credential('cred-b', ids.siteB);
    ids.credC = await credential('cred-c', ids.siteC);
    ids.credNone = await credential('cred-none', null);
  });
  afterAll(() => t?.close());

  it('S28: a viewer gets 403 on every credential route; an operator on every credential_manage route', async () => {
    const viewer = await signInAs(t, { role: 'viewer', siteIds: [{ siteId: ids.siteA }] });
    const operator = await signInAs(t, { role: 'operator', siteIds: [{ siteId: ids.siteA }] });
    const body = { name: 'intruder', credential_type: 'machine', connection_type: 'ssh', site_id: ids.siteA };
    const manage = [
      (c: typeof viewer.client) => c.post('/api/credentials', body),
      (c: typeof viewer.client) => c.request('PUT', `/api/credentials/${ids.credA}`, { body: { username: 'x' }, headers: { 'if-match': '1' } }),
      (c: typeof viewer.client) => c.delete(`/api/credentials/${ids.credA}`),
    ];
    for (const call of [(c: typeof viewer.client) => c.get('/api/credentials'), (c: typeof viewer.client) => c.get(`/api/credentials/${ids.credA}`), ...manage]) {
      const res = await call(viewer.client);
      expect([res.statusCode, res.json().error.code]).toEqual([403, 'forbidden']);
    }
    for (const call of manage) expect((await call(operator.client)).statusCode).toBe(403);
    const row = await db().selectFrom('credentials').select(['username', 'version']).where('id', '=', ids.credA).executeTakeFirstOrThrow();
    expect(row).toEqual({ username: null, version: 1 });
  });

  it('S29: operator on A, viewer on B: lists A only, B → 403, C and no-site → 404, nothing secret', async () => {
    const { client } = await signInAs(t, { role: 'operator', siteIds: [{ siteId: ids.siteA, role: 'operator' }, { siteId: ids.siteB, role: 'viewer' }] });
    const list = await client.get('/api/credentials');
    expect(list.statusCode).toBe(200);
    expect((list.json() as { credentials: Array<{ id: number }> }).credentials.map((c) => c.id)).toEqual([ids.credA]);
    expect(list.body).not.toMatch(/secret-(pw|become)/);
    expect((await client.get(`/api/credentials/${ids.credA}`)).statusCode).toBe(200);
    const inScope = await client.get(`/api/credentials/${ids.credB}`);
    expect([inScope.statusCode, inScope.json().error.code]).toEqual([403, 'forbidden']);
    for (const id of [ids.credC, ids.credNone, 999999]) {
      const res = await client.get(`/api/credentials/${id}`);
      expect([res.statusCode, res.json().error.code]).toEqual([404, 'not_found']);
    }
    // Changing one is credential_manage: admin-only, so 403 even on A.
    expect((await client.delete(`/api/credentials/${ids.credA}`)).statusCode).toBe(403);
    const sites = (await client.get('/api/sites')).json() as { sites: Array<{ id: number; enrollment_code: string | null }> };
    expect(sites.sites.map((s) => s.id).sort()).toEqual([ids.siteA, ids.siteB].sort());
    expect(sites.sites.find((s) => s.id === ids.siteB)?.enrollment_code).toBeNull();
  });

  it('an admin sees every credential, those of no site included', async () => {
    const list = (await admin.client.get('/api/credentials')).json() as { credentials: Array<{ id: number }> };
    expect(list.credentials.map((c) => c.id).sort()).toEqual([ids.credA, ids.credB, ids.credC, ids.credNone].sort());
  });

  const decryptFailures = (rowId: number, column: string) =>
    db()
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'aegis.decrypt_failed')
      .where(sql<string>`details->>'row_id'`, '=', String(rowId))
      .where(sql<string>`details->>'column'`, '=', column)
      .execute();

  it('S8: an envelope copied into another row fails to decrypt with 500 and an audit row naming the row', async () => {
    const victim = await credential('s8-victim', ids.siteA);
    expect((await service().revealCredential(victim, SYSTEM_ACTOR)).password).toBe('s8-victim-secret-pw');
    await sql`UPDATE credentials SET password_enc = (SELECT password_enc FROM credentials WHERE id = ${ids.credC}) WHERE id = ${victim}`.execute(db());
    await expect(service().revealCredential(victim, SYSTEM_ACTOR)).rejects.toMatchObject({ status: 500, code: 'internal_error' });
    const [row] = await decryptFailures(victim, 'password_enc');
    expect(row).toMatchObject({ severity: 'high', outcome: 'failure', details: { table: 'credentials', column: 'password_enc', row_id: String(victim), reason: 'tag_mismatch' } });
    expect(JSON.stringify(row)).not.toContain('secret-pw');
  });

  it("S8: A's password envelope copied into A's become_password_enc fails the same way", async () => {
    const own = await credential('s8-own', ids.siteA, { become_password: 's8-own-become' });
    await sql`UPDATE credentials SET become_password_enc = password_enc WHERE id = ${own}`.execute(db());
    await expect(service().revealCredential(own, SYSTEM_ACTOR)).rejects.toMatchObject({ status: 500, code: 'internal_error' });
    expect(await decryptFailures(own, 'become_password_enc')).toHaveLength(1);
  });

  it('S8: one flipped base64 character fails the same way', async () => {
    const flipped = await credential('s8-flip', ids.siteA);
    const { password_enc } = await db().selectFrom('credentials').select('password_enc').where('id', '=', flipped).executeTakeFirstOrThrow();
    const i = password_enc!.length - 6;
    const tampered = password_enc!.slice(0, i) + (password_enc![i] === 'A' ? 'B' : 'A') + password_enc!.slice(i + 1);
    await db().updateTable('credentials').set({ password_enc: tampered }).where('id', '=', flipped).execute();
    await expect(service().revealCredential(flipped, SYSTEM_ACTOR)).rejects.toMatchObject({ status: 500, code: 'internal_error' });
    expect(await decryptFailures(flipped, 'password_enc')).toHaveLength(1);
  });
});
