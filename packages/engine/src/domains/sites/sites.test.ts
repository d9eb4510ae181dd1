// Sites through the real HTTP stack on PGlite and PostgreSQL: CRUD, enrolment codes (format, HMAC
// lookup, rotation), auto-approval, role checks (S28) and site scope (S29).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVELOPE_PATTERN } from '../aegis/cipher/envelope';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine, signInAs, type SignedInAdmin } from '../../../test/factories';
import { enrollmentCodeHash, findSiteByEnrollmentCode } from './enrollment-code';

const CODE = /^[0-9A-F]{4}(?:-[0-9A-F]{4}){7}$/;

interface SiteBody {
  id: number;
  name: string;
  enrollment_code: string | null;
  version: number;
  auto_approval_active: boolean;
  [k: string]: unknown;
}

describe.each(DIALECTS)('sites on %s', (dialect) => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  const hostSecret = () => t.engine.ctx.security!.hostSecretFile.secret;
  const db = () => t.engine.ctx.db;
  const create = async (name: string, description?: string) => {
    const res = await admin.client.post('/api/sites', { name, ...(description ? { description } : {}) });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as SiteBody;
  };
  const auditOf = (action: string, targetId: number) =>
    db().selectFrom('audit_events').selectAll().where('action', '=', action).where('target_id', '=', String(targetId)).execute();

  beforeAll(async () => {
    t = await startTestEngine({ dialect });
    admin = await setUpEngine(t);
  });
  afterAll(() => t?.close());

  it('creates a site with a dash-grouped code, stored as an HMAC and an Aegis envelope', async () => {
    const site = await create('Oslo Office', 'HQ');
    expect(site).toMatchObject({ name: 'Oslo Office', description: 'HQ', device_count: 0, version: 1, auto_approve_until: null, auto_approval_active: false });
    expect(site.enrollment_code).toMatch(CODE);
    const row = await db().selectFrom('sites').selectAll().where('id', '=', site.id).executeTakeFirstOrThrow();
    expect(row.enrollment_code_enc).toMatch(ENVELOPE_PATTERN);
    expect(row.enrollment_code_enc).not.toContain(site.enrollment_code!.replaceAll('-', ''));
    expect(row.enrollment_code_hash.equals(enrollmentCodeHash(hostSecret(), site.enrollment_code!.replaceAll('-', '')))).toBe(true);
    const [audit] = await auditOf('site.created', site.id);
    expect(audit).toMatchObject({ actor_name: admin.username, site_id: site.id, outcome: 'success' });
    expect(JSON.stringify(audit!.details)).not.toContain(site.enrollment_code!);
  });

  it('refuses a duplicate name in any case with 409 conflict', async () => {
    await create('Bergen');
    const res = await admin.client.post('/api/sites', { name: 'BERGEN' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('conflict');
  });

  it('lists sites with their codes for an admin', async () => {
    const res = await admin.client.get('/api/sites');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { sites: SiteBody[]; public_base_url: string | null };
    expect(body.sites.map((s) => s.name)).toEqual(expect.arrayContaining(['Oslo Office', 'Bergen']));
    for (const s of body.sites) expect(s.enrollment_code).toMatch(CODE);
    expect(body).toHaveProperty('public_base_url');
  });

  it('finds a site by its code in any case and spacing, and not by a near miss', async () => {
    const site = await create('Lookup');
    const code = site.enrollment_code!;
    expect((await findSiteByEnrollmentCode(db(), hostSecret(), code))?.id).toBe(site.id);
    const sloppy = ` ${code.toLowerCase().replaceAll('-', ' ')} `;
    expect((await findSiteByEnrollmentCode(db(), hostSecret(), sloppy))?.id).toBe(site.id);
    const wrong = code.slice(0, -1) + (code.endsWith('0') ? '1' : '0');
    expect(await findSiteByEnrollmentCode(db(), hostSecret(), wrong)).toBeNull();
    expect(await findSiteByEnrollmentCode(db(), hostSecret(), 'not a code')).toBeNull();
  });

  it('rotates the code: the old one stops working at once, limits apply, version rises', async () => {
    const site = await create('Rotating');
    const old = site.enrollment_code!;
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const res = await admin.client.post(`/api/sites/${site.id}/enrollment-code/rotate`, { expires_at: expiresAt, max_uses: 5 });
    expect(res.statusCode, res.body).toBe(200);
    const rotated = res.json() as SiteBody;
    expect(rotated.enrollment_code).toMatch(CODE);
    expect(rotated.enrollment_code).not.toBe(old);
    expect(rotated).toMatchObject({ enrollment_code_max_uses: 5, enrollment_code_uses: 0, version: site.version + 1 });
    expect(new Date(rotated.enrollment_code_expires_at as string).toISOString()).toBe(expiresAt);
    expect(await findSiteByEnrollmentCode(db(), hostSecret(), old)).toBeNull();
    expect((await findSiteByEnrollmentCode(db(), hostSecret(), rotated.enrollment_code!))?.id).toBe(site.id);
    expect(await auditOf('site.enrollment_code_rotated', site.id)).toHaveLength(1);

    const past = await admin.client.post(`/api/sites/${site.id}/enrollment-code/rotate`, { expires_at: '2000-01-01T00:00:00Z' });
    expect(past.statusCode).toBe(422);
    expect((await admin.client.post('/api/sites/999999/enrollment-code/rotate', {})).statusCode).toBe(404);
  });

  it('renames a site; a taken name → 409, an unknown id → 404', async () => {
    const site = await create('Tromso');
    const res = await admin.client.post('/api/sites/rename', { id: site.id, new_name: 'Tromsø' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Tromsø', version: 2 });
    expect((await auditOf('site.renamed', site.id))[0]?.details).toEqual({ from: 'Tromso', to: 'Tromsø' });
    expect((await admin.client.post('/api/sites/rename', { id: site.id, new_name: 'bergen' })).statusCode).toBe(409);
    expect((await admin.client.post('/api/sites/rename', { id: 999999, new_name: 'Nowhere' })).statusCode).toBe(404);
  });

  it('opens and closes the auto-approval window', async () => {
    const site = await create('Auto');
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const open = await admin.client.post(`/api/sites/${site.id}/auto-approval`, { auto_approve_until: until });
    expect(open.statusCode, open.body).toBe(200);
    expect(open.json()).toMatchObject({ auto_approval_active: true });
    const closed = await admin.client.post(`/api/sites/${site.id}/auto-approval`, { auto_approve_until: null });
    expect(closed.json()).toMatchObject({ auto_approve_until: null, auto_approval_active: false });
    expect(await auditOf('site.auto_approval_changed', site.id)).toHaveLength(2);
    expect((await admin.client.post(`/api/sites/${site.id}/auto-approval`, { auto_approve_until: 'tomorrow' })).statusCode).toBe(422);
  });

  it('answers an empty device map and assigns no hostname while no devices exist', async () => {
    const site = await create('Assign');
    expect((await admin.client.get('/api/sites/device_map')).json()).toEqual({ map: {} });
    const res = await admin.client.post('/api/sites/assign', { site_id: site.id, hostnames: ['pc-1', 'pc-2', 'pc-1'] });
    expect(res.json()).toEqual({ assigned: 0, unknown: ['pc-1', 'pc-2'] });
    expect((await admin.client.post('/api/sites/assign', { site_id: 999999, hostnames: ['pc-1'] })).statusCode).toBe(404);
  });

  it('deletes sites, ignoring unknown ids, and audits each', async () => {
    const a = await create('Doomed A');
    const b = await create('Doomed B');
    const res = await admin.client.post('/api/sites/delete', { ids: [a.id, b.id, 999999] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ deleted_ids: [a.id, b.id].sort((x, y) => x - y) });
    const names = ((await admin.client.get('/api/sites')).json() as { sites: SiteBody[] }).sites.map((s) => s.name);
    expect(names).not.toContain('Doomed A');
    expect(await auditOf('site.deleted', a.id)).toHaveLength(1);
    expect(await findSiteByEnrollmentCode(db(), hostSecret(), a.enrollment_code!)).toBeNull();
  });

  it('S28: a viewer and an operator get 403 on every site mutation; both may read', async () => {
    const site = await create('Guarded');
    const mutations: Array<[string, unknown]> = [
      ['/api/sites', { name: 'Intruder' }],
      ['/api/sites/delete', { ids: [site.id] }],
      ['/api/sites/rename', { id: site.id, new_name: 'Owned' }],
      [`/api/sites/${site.id}/auto-approval`, { auto_approve_until: null }],
      [`/api/sites/${site.id}/enrollment-code/rotate`, {}],
      ['/api/sites/assign', { site_id: site.id, hostnames: ['pc-1'] }],
    ];
    for (const role of ['viewer', 'operator'] as const) {
      const { client } = await signInAs(t, { role, siteIds: [{ siteId: site.id }] });
      for (const [url, body] of mutations) {
        const res = await client.post(url, body);
        expect(res.statusCode, `${role} ${url}`).toBe(403);
        expect(res.json().error.code).toBe('forbidden');
      }
      expect((await client.get('/api/sites')).statusCode).toBe(200);
      expect((await client.get('/api/sites/device_map')).statusCode).toBe(200);
    }
    expect((await db().selectFrom('sites').select('name').where('id', '=', site.id).executeTakeFirstOrThrow()).name).toBe('Guarded');
  });

  it('S29: an operator on A and viewer on B sees A and B only, and the code of A only', async () => {
    const a = await create('S29 A');
    const b = await create('S29 B');
    const c = await create('S29 C');
    const { client } = await signInAs(t, { role: 'operator', siteIds: [{ siteId: a.id, role: 'operator' }, { siteId: b.id, role: 'viewer' }] });
    const res = await client.get('/api/sites');
    const sites = (res.json() as { sites: SiteBody[] }).sites;
    expect(sites.map((s) => s.id).sort()).toEqual([a.id, b.id].sort());
    expect(sites.find((s) => s.id === a.id)?.enrollment_code).toBe(a.enrollment_code);
    expect(sites.find((s) => s.id === b.id)?.enrollment_code).toBeNull();
    expect(res.body).not.toContain(c.enrollment_code!);
    expect(res.body).not.toContain(b.enrollment_code!);

    const viewer = await signInAs(t, { role: 'viewer', siteIds: [{ siteId: a.id }] });
    const seen = ((await viewer.client.get('/api/sites')).json() as { sites: SiteBody[] }).sites;
    expect(seen).toEqual([expect.objectContaining({ id: a.id, enrollment_code: null })]);

    const unassigned = await signInAs(t, { role: 'operator' });
    expect(((await unassigned.client.get('/api/sites')).json() as { sites: SiteBody[] }).sites).toEqual([]);
  });
});
