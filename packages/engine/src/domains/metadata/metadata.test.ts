// Metadata fields through the real HTTP stack on PGlite and PostgreSQL: the 500 definitions, label
// edits (admin only), per-device values with the 1024-character limit, blank clears, reserved fields
// 1-10, and site scope.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine, signInAs, type SignedInAdmin } from '../../../test/factories';
import { insertDevice, insertSite, type TestDevice } from '../devices/device-test-factory';

describe.each(DIALECTS)('metadata fields on %s', (dialect) => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  let device: TestDevice;
  let siteId: number;
  const db = () => t.engine.ctx.db;
  const put = (client: SignedInAdmin['client'], url: string, body: unknown) => client.request('PUT', url, { body });

  beforeAll(async () => {
    t = await startTestEngine({ dialect });
    admin = await setUpEngine(t);
    siteId = await insertSite(db(), 'Lofoten');
    device = await insertDevice(db(), { display_name: 'meta-host', site_id: siteId });
  });
  afterAll(() => t?.close());

  it('lists 500 definitions and lets an admin label one; reserved fields are refused', async () => {
    const list = (await admin.client.get('/api/metadata_fields')).json();
    expect(list.fields).toHaveLength(500);
    expect(list.fields[0]).toMatchObject({ field_number: 1, reserved: true });
    const res = await put(admin.client, '/api/metadata_fields/42', { label: 'Rack', description: 'Where it lives' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ field_number: 42, label: 'Rack', updated_by: admin.username, reserved: false });
    const reserved = await put(admin.client, '/api/metadata_fields/3', { label: 'x' });
    expect(reserved.statusCode).toBe(422);
    expect(reserved.json().error.code).toBe('reserved_metadata_field');
    expect((await put(admin.client, '/api/metadata_fields/501', { label: 'x' })).statusCode).toBe(422);
    const op = await signInAs(t, { role: 'operator' });
    expect((await put(op.client, '/api/metadata_fields/42', { label: 'x' })).statusCode).toBe(403);
  });

  it('sets a value by GUID or hostname, reads all 500 rows, and clears with a blank', async () => {
    const set = await put(admin.client, `/api/devices/${device.guid.toUpperCase()}/metadata_fields/42`, { value: 'R7-U12' });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ field_number: 42, value: 'R7-U12', source: 'engine', actor: admin.username });
    const all = (await admin.client.get('/api/devices/meta-host/metadata_fields')).json();
    expect(all.device_guid).toBe(device.guid.toUpperCase());
    expect(all.fields).toHaveLength(500);
    expect(all.fields[41]).toMatchObject({ field_number: 42, label: 'Rack', value: 'R7-U12' });
    expect(all.fields[42]).toMatchObject({ value: '', modified_at: null });
    const cleared = await put(admin.client, '/api/devices/meta-host/metadata_fields/42', { value: '   ' });
    expect(cleared.json()).toMatchObject({ value: '', modified_at: null });
    expect(await db().selectFrom('device_metadata_fields').selectAll().where('device_guid', '=', device.guid).execute()).toHaveLength(0);
  });

  it('takes exactly 1024 characters and refuses 1025 with nothing changed', async () => {
    const max = 'x'.repeat(1024);
    expect((await put(admin.client, '/api/devices/meta-host/metadata_fields/43', { value: max })).statusCode).toBe(200);
    const tooLong = await put(admin.client, '/api/devices/meta-host/metadata_fields/43', { value: `${max}y` });
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.json().error.details[0].path).toBe('value');
    const row = await db().selectFrom('device_metadata_fields').select('value').where('device_guid', '=', device.guid).where('field_number', '=', 43).executeTakeFirstOrThrow();
    expect(row.value).toBe(max);
    expect((await put(admin.client, '/api/devices/meta-host/metadata_fields/5', { value: 'x' })).json().error.code).toBe('reserved_metadata_field');
  });

  it('scopes values: another site 404, a viewer on the site reads but cannot write', async () => {
    const other = await signInAs(t, { role: 'operator', siteIds: [{ siteId: await insertSite(db(), 'Svalbard') }] });
    expect((await other.client.get('/api/devices/meta-host/metadata_fields')).statusCode).toBe(404);
    expect((await put(other.client, '/api/devices/meta-host/metadata_fields/44', { value: 'x' })).statusCode).toBe(404);
    const viewer = await signInAs(t, { role: 'operator', siteIds: [{ siteId, role: 'viewer' }] });
    expect((await viewer.client.get('/api/devices/meta-host/metadata_fields')).statusCode).toBe(200);
    expect((await put(viewer.client, '/api/devices/meta-host/metadata_fields/44', { value: 'x' })).statusCode).toBe(403);
    expect((await put(admin.client, '/api/devices/no-such-host/metadata_fields/44', { value: 'x' })).statusCode).toBe(404);
  });
});
