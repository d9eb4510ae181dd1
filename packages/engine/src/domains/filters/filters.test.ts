// Device filters through the real HTTP stack on PGlite and PostgreSQL: the criteria grammar
// compiled to SQL (F1), site modes, validation errors with paths, If-Match (DM20), clone,
// archive, delete, usage, search, editor metadata, preview within scope and saved filters in the list.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine, signInAs, type SignedInAdmin } from '../../../test/factories';
import type { OperatorClient } from '../../../test/operator-client';
import { insertDevice, insertMetadata, insertSite, insertSoftware } from '../devices/device-test-factory';

type Condition = Record<string, unknown>;
const cond = (field: string, operator: string, value: unknown, extra: Condition = {}): Condition => ({ field, operator, value, ...extra });
const groups = (...gs: Array<{ join_with?: string; conditions: Condition[] }>) => ({ groups: gs });

describe.each(DIALECTS)('device filters on %s', (dialect) => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  let north: number;
  let south: number;
  const db = () => t.engine.ctx.db;
  const put = (client: OperatorClient, url: string, body: unknown, headers: Record<string, string> = {}) => client.request('PUT', url, { body, headers });
  const preview = async (criteria: unknown, extra: Record<string, unknown> = {}, client: OperatorClient = admin.client): Promise<string[]> => {
    const res = await client.post('/api/device_filters/preview', { criteria, ...extra });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { count: number; devices: Array<{ hostname: string }> };
    expect(body.count).toBe(body.devices.length);
    return body.devices.map((d) => d.hostname).sort();
  };
  const create = async (body: Record<string, unknown>) => {
    const res = await admin.client.post('/api/device_filters', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: number; version: number; name: string; archived: boolean };
  };

  beforeAll(async () => {
    t = await startTestEngine({ dialect });
    admin = await setUpEngine(t);
    north = await insertSite(db(), 'North');
    south = await insertSite(db(), 'South');
    const now = Date.now();
    const a = await insertDevice(db(), {
      display_name: 'alpha-web',
      site_id: north,
      operating_system: 'Ubuntu 24.04 LTS',
      total_ram_bytes: 16 * 2 ** 30,
      storage_free_percent: 55,
      heartbeat: { presence_node_id: 'api-1', last_seen_at: new Date(now), internal_ip: '10.0.0.1', last_user: 'ola' },
    });
    const b = await insertDevice(db(), {
      display_name: 'bravo-db',
      site_id: north,
      operating_system: 'Debian 12',
      total_ram_bytes: 64 * 2 ** 30,
      storage_free_percent: 10,
      description: 'Primary database',
      heartbeat: { last_seen_at: new Date(now - 3 * 3600_000), internal_ip: '10.0.0.2' },
    });
    const c = await insertDevice(db(), { display_name: 'charlie-web', site_id: south, operating_system: 'Rocky Linux 9', heartbeat: { presence_node_id: 'api-1', last_seen_at: new Date(now) } });
    await insertDevice(db(), { display_name: 'delta-spare', site_id: null, operating_system: 'Debian 12' });
    await insertSoftware(db(), a.guid, { name: 'OpenSSL', version: '3.0.2-0ubuntu1.10', source: 'dpkg' });
    await insertSoftware(db(), b.guid, { name: 'openssl', version: '1:1.0-1', source: 'dpkg' });
    await insertSoftware(db(), c.guid, { name: 'openssl', version: '3.0.7-27.el9', source: 'rpm' });
    await insertSoftware(db(), c.guid, { name: 'nginx', version: '1.20.1', source: 'rpm' });
    await insertMetadata(db(), a.guid, 42, 'Rack 7 / Oslo');
    await insertMetadata(db(), b.guid, 42, 'Rack 9 / Bergen');
  });
  afterAll(() => t?.close());

  it('F1: folds strictly left to right, so A OR B AND C is (A OR B) AND C', async () => {
    const A = cond('hostname', 'begins_with', 'alpha');
    const B = cond('hostname', 'begins_with', 'bravo', { join_with: 'OR' });
    const C = cond('operating_system', 'contains', 'debian', { join_with: 'AND' });
    expect(await preview(groups({ conditions: [A, B, C] }))).toEqual(['bravo-db']);
    // Groups fold the same way, OR by default.
    expect(await preview(groups({ conditions: [A] }, { conditions: [cond('hostname', 'equals', 'CHARLIE-WEB')] }))).toEqual(['alpha-web', 'charlie-web']);
    expect(await preview(groups({ conditions: [A] }, { join_with: 'AND', conditions: [cond('hostname', 'ends_with', 'web')] }))).toEqual(['alpha-web']);
  });

  it('F1: each site mode with an unassigned device', async () => {
    const all = ['alpha-web', 'bravo-db', 'charlie-web', 'delta-spare'];
    expect(await preview(null, { site_mode: 'global' })).toEqual(all);
    expect(await preview(null, { site_mode: 'specific_sites', site_ids: [north] })).toEqual(['alpha-web', 'bravo-db']);
    expect(await preview(null, { site_mode: 'global_exclusions', site_ids: [north] })).toEqual(['charlie-web', 'delta-spare']);
  });

  it('F1: a backreference regex is refused with 422 naming the path', async () => {
    const res = await admin.client.post('/api/device_filters/preview', { criteria: groups({ conditions: [cond('hostname', 'contains', '(a)\\1', { use_regex: true })] }) });
    expect(res.statusCode).toBe(422);
    const detail = res.json().error.details[0];
    expect(detail.path).toBe('criteria.groups.0.conditions.0.value');
    expect(detail.message).toMatch(/^Advanced group 1 condition 1: backreferences/);
  });

  it('names every invalid condition: missing value, unknown field, bad operator, bad number', async () => {
    const res = await admin.client.post('/api/device_filters', {
      name: 'broken',
      criteria: groups(
        { conditions: [cond('hostname', 'contains', '')] },
        { conditions: [cond('hostname', 'equals', 'x'), cond('shoe_size', 'equals', 'x'), cond('hostname', 'similar_to', 'x'), cond('total_ram_gb', 'greater_than', 'lots')] },
      ),
    });
    expect(res.statusCode).toBe(422);
    const details = res.json().error.details as Array<{ path: string; message: string }>;
    expect(details.map((d) => d.path)).toEqual([
      'criteria.groups.0.conditions.0.value',
      'criteria.groups.1.conditions.1.field',
      'criteria.groups.1.conditions.2.operator',
      'criteria.groups.1.conditions.3.value',
    ]);
    expect(details[0]!.message).toBe('Advanced group 1 condition 1: value is required.');
    const tooMany = await admin.client.post('/api/device_filters/preview', { criteria: { groups: Array.from({ length: 21 }, () => ({ conditions: [] })) } });
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.json().error.details[0].path).toBe('criteria.groups');
    const longRegex = await admin.client.post('/api/device_filters/preview', { criteria: groups({ conditions: [cond('hostname', 'contains', 'a'.repeat(257), { use_regex: true })] }) });
    expect(longRegex.json().error.details[0].message).toMatch(/at most 256 characters/);
    const lookahead = await admin.client.post('/api/device_filters/preview', { criteria: groups({ conditions: [cond('hostname', 'contains', 'web(?=-db)', { use_regex: true })] }) });
    expect(lookahead.statusCode).toBe(422);
    expect(await db().selectFrom('device_filters').select('id').where('name', '=', 'broken').execute()).toHaveLength(0);
  });

  it('matches text fields case-insensitively, with regexes, and treats missing values as empty', async () => {
    expect(await preview(groups({ conditions: [cond('description', 'does_not_contain', 'database')] }))).toEqual(['alpha-web', 'charlie-web', 'delta-spare']);
    expect(await preview(groups({ conditions: [cond('site_name', 'equals', 'north')] }))).toEqual(['alpha-web', 'bravo-db']);
    expect(await preview(groups({ conditions: [cond('internal_ip', 'begins_with', '10.0.0.')] }))).toEqual(['alpha-web', 'bravo-db']);
    expect(await preview(groups({ conditions: [cond('last_user', 'equals', 'OLA')] }))).toEqual(['alpha-web']);
    expect(await preview(groups({ conditions: [cond('hostname', 'contains', '^(alpha|charlie)-', { use_regex: true })] }))).toEqual(['alpha-web', 'charlie-web']);
    expect(await preview(groups({ conditions: [cond('hostname', 'contains', '%')] }))).toEqual([]);
  });

  it('matches status, numbers and metadata fields', async () => {
    expect(await preview(groups({ conditions: [cond('status', 'equals', 'Online')] }))).toEqual(['alpha-web', 'charlie-web']);
    expect(await preview(groups({ conditions: [cond('total_ram_gb', 'greater_than_or_equal', 32)] }))).toEqual(['bravo-db']);
    expect(await preview(groups({ conditions: [cond('total_ram_gb', 'equals', '16')] }))).toEqual(['alpha-web']);
    expect(await preview(groups({ conditions: [cond('storage_free_percent', 'less_than', 20)] }))).toEqual(['bravo-db']);
    expect(await preview(groups({ conditions: [cond('last_seen_age_minutes', 'greater_than', 60), cond('hostname', 'contains', 'o')] }))).toContain('bravo-db');
    expect(await preview(groups({ conditions: [cond('metadata_field', 'contains', 'oslo', { field_number: 42 })] }))).toEqual(['alpha-web']);
    expect(await preview(groups({ conditions: [cond('metadata_field', 'does_not_contain', 'rack', { field_number: 42 })] }))).toEqual(['charlie-web', 'delta-spare']);
    const bad = await admin.client.post('/api/device_filters/preview', { criteria: groups({ conditions: [cond('metadata_field', 'contains', 'x', { field_number: 501 })] }) });
    expect(bad.json().error.details[0].path).toBe('criteria.groups.0.conditions.0.field_number');
  });

  it('matches installed software by name, source and version order; does_not_contain means absent', async () => {
    expect(await preview(groups({ conditions: [cond('installed_software', 'equals', 'openssl')] }))).toEqual(['alpha-web', 'bravo-db', 'charlie-web']);
    expect(await preview(groups({ conditions: [cond('installed_software', 'equals', 'openssl', { software_source: 'rpm' })] }))).toEqual(['charlie-web']);
    expect(await preview(groups({ conditions: [cond('installed_software', 'does_not_contain', 'nginx')] }))).toEqual(['alpha-web', 'bravo-db', 'delta-spare']);
    // dpkg order: the epoch makes 1:1.0-1 newer than 3.x.
    const newer = cond('installed_software', 'equals', 'openssl', { version_operator: 'newer_than', version: '2.0' });
    expect(await preview(groups({ conditions: [newer] }))).toEqual(['alpha-web', 'bravo-db', 'charlie-web']);
    const older = cond('installed_software', 'equals', 'openssl', { version_operator: 'older_than', version: '3.0.5' });
    expect(await preview(groups({ conditions: [older] }))).toEqual(['alpha-web']);
    const exact = cond('installed_software', 'contains', 'ssl', { version_operator: 'matches', version: '3.0.*' });
    expect(await preview(groups({ conditions: [exact] }))).toEqual(['alpha-web', 'charlie-web']);
    const missing = await admin.client.post('/api/device_filters/preview', { criteria: groups({ conditions: [cond('installed_software', 'equals', 'x', { version_operator: 'older_than' })] }) });
    expect(missing.json().error.details[0].path).toBe('criteria.groups.0.conditions.0.version');
  });

  it('accepts upstream basic criteria (an array of conditions) as one AND group', async () => {
    expect(await preview([cond('hostname', 'contains', 'web'), cond('site_name', 'equals', 'south', { join_with: 'OR' })])).toEqual(['alpha-web', 'charlie-web']);
  });

  it('previews only the devices in the operator scope', async () => {
    const op = await signInAs(t, { role: 'operator', siteIds: [{ siteId: south }] });
    expect(await preview(null, {}, op.client)).toEqual(['charlie-web']);
    const foreign = await op.client.post('/api/device_filters', { name: 'north only', site_mode: 'specific_sites', site_ids: [north], criteria: null });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json().error.details[0].path).toBe('site_ids');
  });

  it('DM20: two PUTs with the same If-Match give one 200 and one 409 version_conflict; version rises by 1', async () => {
    const f = await create({ name: 'Web servers', criteria: groups({ conditions: [cond('hostname', 'ends_with', 'web')] }) });
    expect(f.version).toBe(1);
    const body = (name: string) => ({ name, site_mode: 'global', criteria: groups({ conditions: [cond('hostname', 'ends_with', 'web')] }) });
    const results = await Promise.all([put(admin.client, `/api/device_filters/${f.id}`, body('Web A'), { 'if-match': '1' }), put(admin.client, `/api/device_filters/${f.id}`, body('Web B'), { 'if-match': '"1"' })]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.statusCode === 409)!.json().error.code).toBe('version_conflict');
    const now = (await admin.client.get(`/api/device_filters/${f.id}`)).json();
    expect(now.version).toBe(2);
    expect((await put(admin.client, `/api/device_filters/${f.id}`, body('no header'))).statusCode).toBe(422);
  });

  it('lists, searches, clones, archives, unarchives and deletes; usage is empty', async () => {
    const f = await create({ name: 'Debian boxes', description: 'apt based', criteria: groups({ conditions: [cond('operating_system', 'contains', 'debian')] }) });
    expect((await admin.client.post('/api/device_filters', { name: 'debian BOXES', criteria: null })).statusCode).toBe(409);
    const clone = await admin.client.post(`/api/device_filters/${f.id}/clone`, {});
    expect(clone.statusCode).toBe(201);
    expect(clone.json().name).toBe('Debian boxes (copy)');
    expect((await admin.client.get('/api/device_filters/search?q=APT')).json().filters.map((x: { id: number }) => x.id)).toContain(f.id);

    const listed = await admin.client.get(`/api/devices?filter_id=${f.id}`);
    expect(listed.json().devices.map((d: { hostname: string }) => d.hostname).sort()).toEqual(['bravo-db', 'delta-spare']);
    const archived = await admin.client.post(`/api/device_filters/${f.id}/archive`);
    expect(archived.json()).toMatchObject({ archived: true });
    expect((await admin.client.get(`/api/devices?filter_id=${f.id}`)).json().devices).toHaveLength(0);
    expect((await admin.client.get('/api/device_filters')).json().filters.map((x: { id: number }) => x.id)).not.toContain(f.id);
    expect((await admin.client.get('/api/device_filters?archived=true')).json().filters.map((x: { id: number }) => x.id)).toEqual([f.id]);
    await admin.client.post(`/api/device_filters/${f.id}/unarchive`);

    expect((await admin.client.get(`/api/device_filters/${f.id}/usage`)).json()).toEqual({ filter_id: f.id, scheduled_jobs: [] });
    const del = await admin.client.delete(`/api/device_filters/${f.id}`);
    expect(del.json()).toEqual({ id: f.id, deleted: true });
    expect((await admin.client.get(`/api/device_filters/${f.id}`)).statusCode).toBe(404);
    expect((await admin.client.get('/api/devices?filter_id=999999')).statusCode).toBe(422);
  });

  it('describes fields, operators and the metadata-field picker for the editor', async () => {
    const res = await admin.client.get('/api/device_filters/metadata');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.fields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['hostname', 'status', 'installed_software', 'metadata_field', 'total_ram_gb']));
    expect(body.metadata_fields).toHaveLength(500);
    expect(body.limits).toEqual({ groups: 20, conditions: 50, regex_length: 256, preview: 100 });
  });

  it('lets viewers read filters but not edit or preview them', async () => {
    const viewer = await signInAs(t, { role: 'viewer' });
    expect((await viewer.client.get('/api/device_filters')).statusCode).toBe(200);
    expect((await viewer.client.post('/api/device_filters/preview', { criteria: null })).statusCode).toBe(403);
    const res = await viewer.client.post('/api/device_filters', { name: 'nope', criteria: null });
    expect(res.statusCode).toBe(403);
  });
});
