// Device list views through the real HTTP stack on PGlite and PostgreSQL: CRUD, the reserved
// "Default View" name, unique names, If-Match versions, private views and role checks.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../../test/engine-harness';
import { setUpEngine, signInAs, type SignedInAdmin } from '../../../../test/factories';

describe.each(DIALECTS)('device list views on %s', (dialect) => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  const put = (url: string, body: unknown, headers: Record<string, string> = {}) => admin.client.request('PUT', url, { body, headers });

  beforeAll(async () => {
    t = await startTestEngine({ dialect });
    admin = await setUpEngine(t);
  });
  afterAll(() => t?.close());

  it('creates, reads, updates with If-Match and deletes a shared view', async () => {
    const res = await admin.client.post('/api/device_list_views', { name: 'Servers', columns: ['hostname', 'status'], filters: { status: 'active' } });
    expect(res.statusCode, res.body).toBe(201);
    const view = res.json();
    expect(view).toMatchObject({ name: 'Servers', columns: ['hostname', 'status'], filters: { status: 'active' }, owner_user_id: null, version: 1 });
    expect((await admin.client.get(`/api/device_list_views/${view.id}`)).json()).toEqual(view);
    const updated = await put(`/api/device_list_views/${view.id}`, { columns: ['hostname'] }, { 'if-match': '1' });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json()).toMatchObject({ columns: ['hostname'], version: 2 });
    const stale = await put(`/api/device_list_views/${view.id}`, { columns: ['status'] }, { 'if-match': '1' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('version_conflict');
    expect((await admin.client.delete(`/api/device_list_views/${view.id}`)).json()).toEqual({ id: view.id, deleted: true });
    expect((await admin.client.get(`/api/device_list_views/${view.id}`)).statusCode).toBe(404);
  });

  it('reserves "Default View" and refuses duplicate names', async () => {
    const reserved = await admin.client.post('/api/device_list_views', { name: 'default VIEW', columns: [] });
    expect(reserved.statusCode).toBe(422);
    expect(reserved.json().error.details[0].path).toBe('name');
    await admin.client.post('/api/device_list_views', { name: 'Laptops', columns: [] });
    expect((await admin.client.post('/api/device_list_views', { name: 'LAPTOPS', columns: [] })).statusCode).toBe(409);
  });

  it('keeps private views to their owner and refuses viewers', async () => {
    const op = await signInAs(t, { role: 'operator' });
    const mine = await op.client.post('/api/device_list_views', { name: 'Mine', columns: ['hostname'], private: true });
    expect(mine.statusCode).toBe(201);
    expect((await admin.client.get(`/api/device_list_views/${mine.json().id}`)).statusCode).toBe(404);
    expect((await op.client.get('/api/device_list_views')).json().views.map((v: { name: string }) => v.name)).toContain('Mine');
    const viewer = await signInAs(t, { role: 'viewer' });
    expect((await viewer.client.get('/api/device_list_views')).statusCode).toBe(200);
    expect((await viewer.client.post('/api/device_list_views', { name: 'Nope', columns: [] })).statusCode).toBe(403);
  });
});
