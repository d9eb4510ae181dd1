// Site assignments through the real HTTP stack on PGlite and PostgreSQL (security.md §7.1):
// assign replaces the set (ours and upstream's body shape), selection reads it, unknown sites are
// named in a 422, and the change is audited with what was added and removed.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine, signInAs, type SignedInAdmin } from '../../../test/factories';

describe.each(DIALECTS)('user site assignments on %s', (dialect) => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  let user: Awaited<ReturnType<typeof signInAs>>;
  const sites: number[] = [];
  beforeAll(async () => {
    t = await startTestEngine({ dialect });
    admin = await setUpEngine(t);
    user = await signInAs(t, { role: 'operator' });
    for (const name of ['Oslo', 'Bergen', 'Tromsø']) {
      const now = new Date();
      const row = await t.engine.ctx.db
        .insertInto('sites')
        .values({ name, enrollment_code_hash: randomBytes(32), enrollment_code_rotated_at: now, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      sites.push(row.id);
    }
  });
  afterAll(() => t?.close());

  const auditRows = (requestId: unknown) =>
    t.engine.ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'user.site_assignments_changed').where('request_id', '=', String(requestId)).execute();

  it('replaces the set with {assignments} and answers with the user', async () => {
    const [oslo, bergen] = sites as [number, number, number];
    const res = await admin.client.post('/api/user_site_assignments/assign', {
      username: user.username.toUpperCase(),
      assignments: [{ site_id: bergen }, { site_id: oslo, role: 'viewer' }],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      username: user.username,
      site_assignments: [
        { site_id: oslo, role: 'viewer' },
        { site_id: bergen, role: null },
      ],
    });
    const [audit] = await auditRows(res.headers['x-request-id']);
    expect(audit).toMatchObject({ target_id: user.userId, actor_id: admin.userId, details: { added: [oslo, bergen].sort((a, b) => a - b), removed: [] } });
    // Applies from the next request, without ending the session.
    expect((await user.client.get('/api/auth/me')).json().site_ids).toEqual([oslo, bergen].sort((a, b) => a - b));
  });

  it("replaces the set with upstream's {site_ids} and audits added and removed", async () => {
    const [oslo, bergen, tromso] = sites as [number, number, number];
    const res = await admin.client.post('/api/user_site_assignments/assign', { username: user.username, site_ids: [tromso, bergen] });
    expect(res.statusCode).toBe(200);
    expect(res.json().site_assignments).toEqual(
      [
        { site_id: bergen, role: null },
        { site_id: tromso, role: null },
      ].sort((a, b) => a.site_id - b.site_id),
    );
    const [audit] = await auditRows(res.headers['x-request-id']);
    expect(audit!.details).toMatchObject({ added: [tromso], removed: [oslo] });

    const same = await admin.client.post('/api/user_site_assignments/assign', { username: user.username, site_ids: [bergen, tromso] });
    expect(same.statusCode).toBe(200);
    expect(await auditRows(same.headers['x-request-id'])).toHaveLength(0);
  });

  it('names an unknown site id in a 422 and changes nothing', async () => {
    const [, bergen] = sites as [number, number, number];
    const res = await admin.client.post('/api/user_site_assignments/assign', { username: user.username, site_ids: [bergen, 987654] });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', details: [{ path: 'site_ids.1', message: expect.stringContaining('987654') }] });
    const twice = await admin.client.post('/api/user_site_assignments/assign', { username: user.username, assignments: [{ site_id: bergen }, { site_id: bergen }] });
    expect(twice.json().error.code).toBe('validation_failed');
    const both = await admin.client.post('/api/user_site_assignments/assign', { username: user.username, site_ids: [], assignments: [] });
    expect(both.json().error.code).toBe('validation_failed');
    const unknownUser = await admin.client.post('/api/user_site_assignments/assign', { username: 'nobody-by-that-name', site_ids: [] });
    expect(unknownUser.statusCode).toBe(404);
    const selection = await admin.client.post('/api/user_site_assignments/selection', { usernames: [user.username] });
    expect(selection.json().assignments[user.username]).toHaveLength(2);
  });

  it('selection reads the sets of the named users and leaves out unknown names', async () => {
    const res = await admin.client.post('/api/user_site_assignments/selection', { usernames: [user.username, admin.username, 'nobody-by-that-name'] });
    expect(res.statusCode).toBe(200);
    const { assignments } = res.json() as { assignments: Record<string, Array<{ site_id: number }>> };
    expect(Object.keys(assignments).sort()).toEqual([admin.username, user.username].sort());
    expect(assignments[admin.username]).toEqual([]);
    expect(assignments[user.username]!.map((a) => a.site_id)).toEqual([sites[1], sites[2]]);

    const cleared = await admin.client.post('/api/user_site_assignments/assign', { username: user.username, assignments: [] });
    expect(cleared.json().site_assignments).toEqual([]);
    const listed = (await admin.client.get('/api/users')).json().users as Array<{ username: string; site_assignments: unknown[] }>;
    expect(listed.find((u) => u.username === user.username)!.site_assignments).toEqual([]);
  });
});
