// Sites and their devices on PGlite and PostgreSQL: device counts, the hostname → site map within
// scope, and moving devices between sites by hostname (audited, unknown names reported).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine, signInAs, type SignedInAdmin } from '../../../test/factories';
import { insertDevice, insertSite } from '../devices/device-test-factory';

describe.each(DIALECTS)('site devices on %s', (dialect) => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  const db = () => t.engine.ctx.db;

  beforeAll(async () => {
    t = await startTestEngine({ dialect });
    admin = await setUpEngine(t);
  });
  afterAll(() => t?.close());

  it('moves devices by hostname, counts them per site and maps hostnames within scope', async () => {
    const east = await insertSite(db(), 'East');
    const west = await insertSite(db(), 'West');
    await insertDevice(db(), { display_name: 'pc-1', site_id: east });
    await insertDevice(db(), { display_name: 'PC-2' });
    await insertDevice(db(), { display_name: 'pc-3', site_id: west });
    const changed: unknown[] = [];
    t.engine.ctx.security!.deviceEvents.on('device_changed', (p) => changed.push(p));

    const res = await admin.client.post('/api/sites/assign', { site_id: west, hostnames: ['PC-1', 'pc-2', 'ghost'] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ assigned: 2, unknown: ['ghost'] });
    expect(changed).toHaveLength(2);
    const audit = await db().selectFrom('audit_events').selectAll().where('action', '=', 'site.devices_assigned').execute();
    expect(audit[0]!.details).toMatchObject({ count: 2 });

    const sites = (await admin.client.get('/api/sites')).json().sites as Array<{ id: number; device_count: number }>;
    expect(sites.find((s) => s.id === west)?.device_count).toBe(3);
    expect(sites.find((s) => s.id === east)?.device_count).toBe(0);

    expect((await admin.client.get('/api/sites/device_map')).json().map).toEqual({
      'pc-1': { site_id: west, site_name: 'West' },
      'PC-2': { site_id: west, site_name: 'West' },
      'pc-3': { site_id: west, site_name: 'West' },
    });
    const eastOnly = await signInAs(t, { role: 'operator', siteIds: [{ siteId: east }] });
    expect((await eastOnly.client.get('/api/sites/device_map')).json()).toEqual({ map: {} });
  });
});
