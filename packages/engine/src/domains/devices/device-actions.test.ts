// Containment and edits through the real HTTP stack on PGlite and PostgreSQL: token_version bumps,
// refresh families revoked with their reason, purge barrier and deletes (DM18), audit rows, device
// events after commit, role checks, details with inventory, and descriptions.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine, signInAs, type SignedInAdmin } from '../../../test/factories';
import type { DeviceEventMap } from './device-events';
import { insertDevice, insertMetadata, insertSite, insertSoftware, type TestDevice } from './device-test-factory';

describe.each(DIALECTS)('device actions on %s', (dialect) => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  let siteId: number;
  const events: Array<{ name: keyof DeviceEventMap; payload: unknown }> = [];
  const db = () => t.engine.ctx.db;
  const trust = () => t.engine.ctx.security!.deviceTrust;
  const deviceRow = (guid: string) => db().selectFrom('devices').selectAll().where('guid', '=', guid).executeTakeFirst();
  const auditOf = (action: string, guid: string) =>
    db().selectFrom('audit_events').selectAll().where('action', '=', action).where('target_id', '=', guid.toUpperCase()).execute();
  const withFamily = async (input: Parameters<typeof insertDevice>[1] = {}): Promise<TestDevice & { family: string }> => {
    const device = await insertDevice(db(), { site_id: siteId, ...input });
    const issued = await trust().refreshTokens.issueFamily(db(), { deviceGuid: device.guid, jkt: 'jkt-test' });
    return { ...device, family: issued.familyId };
  };
  const familyRows = (family: string) => db().selectFrom('refresh_tokens').selectAll().where('family_id', '=', family).execute();

  beforeAll(async () => {
    t = await startTestEngine({ dialect });
    admin = await setUpEngine(t);
    siteId = await insertSite(db(), 'Tromsø');
    const bus = t.engine.ctx.security!.deviceEvents;
    bus.on('trust_changed', (p) => events.push({ name: 'trust_changed', payload: p }));
    bus.on('device_changed', (p) => events.push({ name: 'device_changed', payload: p }));
  });
  afterAll(() => t?.close());

  it('quarantines: token_version +1, refresh family kept, audit row, events after commit', async () => {
    const d = await withFamily();
    events.length = 0;
    const res = await admin.client.post(`/api/devices/${d.guid}/quarantine`, { reason: 'suspicious traffic' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'quarantined', guid: d.guid.toUpperCase(), token_version: 2, refresh_tokens_revoked: 0 });
    expect(await deviceRow(d.guid)).toMatchObject({ status: 'quarantined', token_version: 2, status_reason: 'suspicious traffic', status_changed_by: admin.username });
    expect((await familyRows(d.family)).every((r) => r.revoked_at === null)).toBe(true);
    const [row] = await auditOf('device.quarantined', d.guid);
    expect(row).toMatchObject({ actor_name: admin.username, site_id: siteId, outcome: 'success' });
    expect(events).toEqual([
      { name: 'trust_changed', payload: { guid: d.guid.toUpperCase(), reason: 'quarantined' } },
      { name: 'device_changed', payload: { guid: d.guid.toUpperCase(), site_id: siteId, change: 'updated' } },
    ]);

    const again = await admin.client.post(`/api/devices/${d.guid}/quarantine`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('conflict');
    expect((await deviceRow(d.guid))?.token_version).toBe(2);

    const back = await admin.client.post(`/api/devices/${d.guid}/unquarantine`);
    expect(back.json()).toMatchObject({ status: 'active', token_version: 3 });
    expect(await auditOf('device.unquarantined', d.guid)).toHaveLength(1);
  });

  it('revokes: every live refresh row revoked as device_revoked, one token_revoked row per family', async () => {
    const d = await withFamily();
    const res = await admin.client.post(`/api/devices/${d.guid}/revoke`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'revoked', token_version: 2, refresh_tokens_revoked: 1 });
    const rows = await familyRows(d.family);
    expect(rows.every((r) => r.revoked_at !== null && r.revoke_reason === 'device_revoked')).toBe(true);
    expect(await auditOf('device.revoked', d.guid)).toHaveLength(1);
    const [revoked] = await auditOf('device.token_revoked', d.guid);
    expect(revoked!.details).toEqual({ family_id: d.family, reason: 'device_revoked' });
    expect((await admin.client.post(`/api/devices/${d.guid}/unquarantine`)).statusCode).toBe(409);
  });

  it('retires with DELETE: decommissioned, tokens revoked, history kept, hidden from the list', async () => {
    const d = await withFamily();
    const res = await admin.client.delete(`/api/devices/${d.guid}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'decommissioned', token_version: 2 });
    expect((await familyRows(d.family)).every((r) => r.revoke_reason === 'device_revoked')).toBe(true);
    expect(await auditOf('device.retired', d.guid)).toHaveLength(1);
    const list = (await admin.client.get(`/api/devices?hostname=${d.display_name}`)).json();
    expect(list.devices).toHaveLength(0);
    expect((await admin.client.get(`/api/devices/${d.guid}`)).json()).toMatchObject({ status: 'decommissioned' });
  });

  it('DM18: purge deletes keys, tokens, inventory, metadata and heartbeat, writes the barrier, keeps audit', async () => {
    const d = await withFamily({ token_version: 4 });
    const now = new Date();
    await db().insertInto('device_keys').values({ id: randomUUID(), device_guid: d.guid, ssl_key_fingerprint: 'f'.repeat(64), jkt: 'jkt-test', public_key_spki: Buffer.alloc(44), added_at: now }).execute();
    await db().insertInto('device_inventory').values({ device_guid: d.guid, section: 'cpu', data: JSON.stringify({ name: 'Xeon' }), hash: Buffer.alloc(32), size_bytes: 10, collected_at: now, updated_at: now }).execute();
    await insertSoftware(db(), d.guid, { name: 'openssl', version: '3.0.2' });
    await insertMetadata(db(), d.guid, 42, 'rack 7');
    events.length = 0;

    const res = await admin.client.post(`/api/devices/${d.guid}/purge`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      status: 'purged',
      device_guid: d.guid.toUpperCase(),
      hostname: d.display_name,
      required_token_version: 5,
      scheduled_jobs: { updated: 0, deleted: 0, targets_removed: 0 },
    });
    expect(body.deleted_rows).toMatchObject({ devices: 1, device_keys: 1, refresh_tokens: 1, device_inventory: 1, device_software_inventory: 1, device_metadata_fields: 1, device_heartbeat_state: 1 });
    for (const table of ['device_keys', 'refresh_tokens', 'device_inventory', 'device_software_inventory', 'device_metadata_fields', 'device_heartbeat_state'] as const) {
      expect(await db().selectFrom(table).select('device_guid').where('device_guid', '=', d.guid).execute(), table).toHaveLength(0);
    }
    expect(await deviceRow(d.guid)).toBeUndefined();
    const barrier = await db().selectFrom('device_purge_barriers').selectAll().where('device_guid', '=', d.guid).executeTakeFirstOrThrow();
    expect(barrier).toMatchObject({ required_token_version: 5, purged_by_user_id: admin.userId, last_hostname: d.display_name });
    expect(await auditOf('device.purged', d.guid)).toHaveLength(1);
    expect(await auditOf('device.token_revoked', d.guid)).toHaveLength(1);
    expect(events.map((e) => e.payload)).toEqual([
      { guid: d.guid.toUpperCase(), reason: 'purged' },
      { guid: d.guid.toUpperCase(), site_id: siteId, change: 'removed' },
    ]);
    expect((await admin.client.post(`/api/devices/${d.guid}/purge`)).statusCode).toBe(404);
  });

  it('refuses containment to operators (403) and answers 404/422 for unknown and malformed GUIDs', async () => {
    const d = await withFamily();
    const op = await signInAs(t, { role: 'operator', siteIds: [{ siteId }] });
    for (const path of ['quarantine', 'revoke', 'purge']) {
      const res = await op.client.post(`/api/devices/${d.guid}/${path}`);
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    expect((await op.client.delete(`/api/devices/${d.guid}`)).statusCode).toBe(403);
    expect((await deviceRow(d.guid))).toMatchObject({ status: 'active', token_version: 1 });
    expect((await admin.client.post(`/api/devices/${randomUUID()}/revoke`)).statusCode).toBe(404);
    const bad = await admin.client.post('/api/devices/not-a-guid/revoke');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details[0].path).toBe('params.guid');
    const extra = await admin.client.post(`/api/devices/${d.guid}/quarantine`, { reason: 'x', nope: 1 });
    expect(extra.statusCode).toBe(422);
    expect((await deviceRow(d.guid))?.status).toBe('active');
  });

  it('returns full details with inventory sections and software joined to titles', async () => {
    const d = await insertDevice(db(), { site_id: siteId, display_name: 'inv-host', operating_system: 'Ubuntu 24.04', total_ram_bytes: 17179869184 });
    const now = new Date('2026-11-25T08:00:00Z');
    const section = (name: string, data: unknown) =>
      db().insertInto('device_inventory').values({ device_guid: d.guid, section: name, data: JSON.stringify(data), hash: Buffer.alloc(32), size_bytes: 10, collected_at: now, updated_at: now }).execute();
    await section('cpu', { name: 'EPYC', logical_cores: 8 });
    await section('storage', [{ drive: '/', usage: 40 }]);
    await insertSoftware(db(), d.guid, { name: 'Zsh', version: '5.9' });
    await insertSoftware(db(), d.guid, { name: 'bash', version: '5.2' });
    const res = await admin.client.get('/api/device/details/INV-HOST');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.device).toMatchObject({ hostname: 'inv-host', total_ram_bytes: 17179869184, agent_version_status: 'Up-to-Date' });
    expect(body.inventory.cpu).toEqual({ name: 'EPYC', logical_cores: 8 });
    expect(body.inventory.storage).toEqual([{ drive: '/', usage: 40 }]);
    expect(body.inventory.memory).toBeNull();
    expect(body.inventory.software.map((s: { name: string }) => s.name)).toEqual(['bash', 'Zsh']);
    expect(body.inventory_meta.cpu.collected_at).toBe('2026-11-25T08:00:00.000Z');
    expect((await admin.client.get('/api/device/details/nobody-here')).json()).toEqual({});
  });

  it('sets and clears descriptions; a viewer on the site gets 403, another site 404, nothing changes', async () => {
    const d = await insertDevice(db(), { site_id: siteId, display_name: 'desc-host' });
    const set = await admin.client.post('/api/device/description/desc-host', { description: '  Print server  ' });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ description: 'Print server', version: 2 });
    const viewer = await signInAs(t, { role: 'operator', siteIds: [{ siteId, role: 'viewer' }] });
    const denied = await viewer.client.post('/api/device/description/desc-host', { description: 'x' });
    expect(denied.statusCode).toBe(403);
    const other = await signInAs(t, { role: 'operator', siteIds: [{ siteId: await insertSite(db(), 'Elsewhere') }] });
    expect((await other.client.post('/api/device/description/desc-host', { description: 'x' })).statusCode).toBe(404);
    const tooLong = await admin.client.post('/api/device/description/desc-host', { description: 'x'.repeat(1025) });
    expect(tooLong.statusCode).toBe(422);
    expect((await deviceRow(d.guid))?.description).toBe('Print server');
    const cleared = await admin.client.post('/api/device/description/desc-host', { description: '' });
    expect(cleared.json().description).toBeNull();
  });
});
