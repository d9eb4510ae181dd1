// The assemblies API through the real HTTP stack on PGlite and PostgreSQL (automation.md §1.2–§1.4,
// §1.7, A1): the official set, CRUD with revisions and If-Match, read-only official assemblies,
// in-use refusal, import/export law, size limits, permissions, and idempotent seeding by hash.

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assembly, AssemblyExport, AssemblyList, AssemblyRevision } from '@borealis/protocol';
import { canonicalJson } from '@borealis/protocol/agent';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine, signInAs, type SignedInAdmin } from '../../../test/factories';
import type { OperatorClient } from '../../../test/operator-client';
import { OFFICIAL_CATALOG } from './official-catalog';
import { seedOfficialAssemblies } from './official-set';

const bash = (script: string, extra: Record<string, unknown> = {}) => ({ type: 'bash', script, ...extra });
const sha256Jcs = (payload: unknown) => createHash('sha256').update(canonicalJson(payload)).digest('hex');

describe.each(DIALECTS)('assemblies API on %s', (dialect) => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  let operator: OperatorClient;
  let viewer: OperatorClient;
  const c = () => operator;

  const create = async (body: Record<string, unknown>, client = c()) => {
    const res = await client.post('/api/assemblies', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as Assembly;
  };
  const put = (guid: string, body: unknown, revision?: number) =>
    c().request('PUT', `/api/assemblies/${guid}`, { body, headers: revision === undefined ? {} : { 'if-match': String(revision) } });
  const listAll = async (query = '') => {
    const items: Assembly[] = [];
    let cursor: string | null = null;
    do {
      const res = await c().get(`/api/assemblies?limit=5${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as AssemblyList;
      items.push(...(page.items as unknown as Assembly[]));
      cursor = page.next_cursor;
    } while (cursor);
    return items;
  };

  beforeAll(async () => {
    t = await startTestEngine({ dialect });
    admin = await setUpEngine(t);
    operator = (await signInAs(t, { role: 'operator' })).client;
    viewer = (await signInAs(t, { role: 'viewer' })).client;
  });
  afterAll(async () => t?.close());

  it('A1: a fresh engine lists the official Linux set (§1.7), read-only, with content hashes', async () => {
    const official = await listAll('&domain=official');
    expect(official.map((a) => a.display_name).sort()).toEqual(OFFICIAL_CATALOG.map((e) => e.name).sort());
    expect(official).toHaveLength(13);
    for (const a of official) {
      expect(a.display_name.startsWith('Linux - ')).toBe(true);
      expect(a).toMatchObject({ domain: 'official', read_only: true, revision: 1, assembly_type: 'script', assembly_subtype: 'bash', platforms: ['linux'] });
      expect(a.content_hash).toMatch(/^[0-9a-f]{64}$/);
    }
    const disk = official.find((a) => a.display_name === 'Linux - Disk Usage')!;
    const full = (await c().get(`/api/assemblies/${disk.assembly_guid}`)).json() as Assembly;
    expect(full.payload.warning_exit_codes).toEqual([2]);
    expect(full.payload.variables.map((v) => v.name)).toEqual(['WARN_PERCENT']);
    expect(sha256Jcs(full.payload)).toBe(full.content_hash);
  });

  it('A1: PUT/DELETE/restore on an official assembly answer 403 assembly_read_only; clone gives a new GUID in the user domain', async () => {
    const guid = OFFICIAL_CATALOG[0]!.guid;
    const original = (await c().get(`/api/assemblies/${guid}`)).json() as Assembly;
    const edit = await put(guid, { payload: { ...original.payload, script: 'echo hacked\n' } });
    expect(edit.statusCode).toBe(403);
    expect(edit.json().error.code).toBe('assembly_read_only');
    expect((await c().delete(`/api/assemblies/${guid}`)).json().error.code).toBe('assembly_read_only');
    expect((await c().post(`/api/assemblies/${guid}/revisions/1/restore`, {})).json().error.code).toBe('assembly_read_only');
    expect((await c().get(`/api/assemblies/${guid}`)).json()).toMatchObject({ revision: 1, content_hash: original.content_hash });

    const clone = await c().post(`/api/assemblies/${guid}/clone`, {});
    expect(clone.statusCode, clone.body).toBe(201);
    const copy = clone.json() as Assembly;
    expect(copy.assembly_guid).not.toBe(guid);
    expect(copy).toMatchObject({ domain: 'user', read_only: false, revision: 1, display_name: original.display_name, content_hash: original.content_hash });
  });

  it('A1: two saves make revisions 1 and 2, unchanged content keeps the revision, a stale If-Match answers 409 version_conflict', async () => {
    const a = await create({ display_name: 'Probe disk', summary: 'first', payload: bash('df -h\n') });
    expect(a).toMatchObject({ revision: 1, domain: 'user', summary: 'first' });
    expect(a.payload).toMatchObject({ name: 'Probe disk', script: 'df -h\n', script_encoding: 'plain', platforms: ['linux'], timeout_seconds: 3600 });

    const saved = await put(a.assembly_guid, { payload: { ...a.payload, script: 'df -h /\n' }, change_note: 'root only' }, 1);
    expect(saved.statusCode, saved.body).toBe(200);
    const b = saved.json() as Assembly;
    expect(b.revision).toBe(2);
    expect(b.content_hash).not.toBe(a.content_hash);

    const same = await put(a.assembly_guid, { payload: b.payload, summary: 'second' }, 2);
    expect(same.json()).toMatchObject({ revision: 2, content_hash: b.content_hash, summary: 'second' });

    const stale = await put(a.assembly_guid, { payload: { ...b.payload, script: 'df\n' } }, 1);
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('version_conflict');

    const revs = (await c().get(`/api/assemblies/${a.assembly_guid}/revisions`)).json() as { items: AssemblyRevision[] };
    expect(revs.items.map((r) => [r.revision, r.current, r.change_note])).toEqual([
      [2, true, 'root only'],
      [1, false, null],
    ]);
    const one = (await c().get(`/api/assemblies/${a.assembly_guid}/revisions/1`)).json() as AssemblyRevision;
    expect(one.payload.script).toBe('df -h\n');

    const restored = await c().post(`/api/assemblies/${a.assembly_guid}/revisions/1/restore`, {});
    expect(restored.statusCode, restored.body).toBe(200);
    expect(restored.json()).toMatchObject({ revision: 3, content_hash: a.content_hash });
    expect((await c().get(`/api/assemblies/${a.assembly_guid}/revisions/9`)).statusCode).toBe(404);

    const audit = await t.engine.ctx.db.selectFrom('audit_events').select('action').where('target_id', '=', a.assembly_guid).orderBy('at').execute();
    expect(audit.map((e) => e.action)).toEqual(['assembly.created', 'assembly.updated', 'assembly.restored']);
  });

  it('the shared store sees a save at once (the library invalidates the latest pointer)', async () => {
    const a = await create({ display_name: 'Cache probe', payload: bash('echo 1\n') });
    const store = t.engine.ctx.security!.assemblies;
    expect((await store.resolve(a.assembly_guid)).revision).toBe(1);
    await put(a.assembly_guid, { payload: { ...a.payload, script: 'echo 2\n' } }, 1);
    const now = await store.resolve(a.assembly_guid);
    expect(now.revision).toBe(2);
    expect(now.script.toString()).toBe('echo 2\n');
  });

  it('DELETE refuses 409 assembly_in_use while a scheduled job component names the assembly', async () => {
    const a = await create({ display_name: 'Scheduled probe', payload: bash('uptime\n') });
    const now = new Date();
    const job = await t.engine.ctx.db
      .insertInto('scheduled_jobs')
      .values({
        name: 'Nightly uptime',
        job_kind: 'automation',
        components: JSON.stringify([{ kind: 'script', assembly_guid: a.assembly_guid, assembly_revision: null, variable_values: {} }]),
        targets: JSON.stringify([{ kind: 'all_devices' }]),
        schedule: JSON.stringify({ type: 'daily' }),
        execution_context: 'system',
        allowed_site_ids: [],
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const refused = await c().delete(`/api/assemblies/${a.assembly_guid}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'assembly_in_use' });
    expect(refused.json().error.message).toContain('Nightly uptime');
    expect((await c().get(`/api/assemblies/${a.assembly_guid}`)).statusCode).toBe(200);

    await t.engine.ctx.db.deleteFrom('scheduled_jobs').where('id', '=', job.id).execute();
    expect((await c().delete(`/api/assemblies/${a.assembly_guid}`)).statusCode).toBe(204);
    expect((await c().get(`/api/assemblies/${a.assembly_guid}`)).statusCode).toBe(404);
    expect(await t.engine.ctx.db.selectFrom('assembly_revisions').select('revision').where('assembly_guid', '=', a.assembly_guid).execute()).toEqual([]);
  });

  it('validates documents: unknown variable type 422 invalid_variable_type, reserved names, duplicate keys, bad fields with paths', async () => {
    const bad = async (payload: Record<string, unknown>, code: string) => {
      const res = await c().post('/api/assemblies', { display_name: 'Bad', payload });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().error.code).toBe(code);
      return res.json().error;
    };
    await bad(bash('x', { variables: [{ name: 'A', type: 'select' }] }), 'invalid_variable_type');
    await bad(bash('x', { variables: [{ name: 'borealis_x', type: 'string' }] }), 'reserved_variable_name');
    await bad(bash('x', { variables: [{ name: 'a-b', type: 'string' }, { name: 'A_B', type: 'string' }] }), 'duplicate_variable_key');
    const err = await bad(bash('x', { timeout_seconds: 0 }), 'validation_failed');
    expect(err.details[0].path).toBe('payload.timeout_seconds');
    await bad(bash('x', { warning_exit_codes: Array.from({ length: 17 }, (_, i) => i + 1) }), 'validation_failed');
    expect(await t.engine.ctx.db.selectFrom('assemblies').select('assembly_guid').where('display_name', '=', 'Bad').execute()).toEqual([]);
  });

  it('size limits: a script over 1 MiB or a document over 16 MiB answers 413 payload_too_large', async () => {
    const big = 'x'.repeat(1024 * 1024 + 1);
    const script = await c().post('/api/assemblies', { display_name: 'Big', payload: bash(big) });
    expect(script.statusCode).toBe(413);
    expect(script.json().error.code).toBe('payload_too_large');
    const b64 = await c().post('/api/assemblies', { display_name: 'Big', payload: bash(Buffer.from(big).toString('base64'), { script_encoding: 'base64' }) });
    expect(b64.json().error.code).toBe('payload_too_large');
    const ok = await c().post('/api/assemblies', { display_name: 'Exactly 1 MiB', payload: bash('y'.repeat(1024 * 1024)) });
    expect(ok.statusCode, ok.body.slice(0, 200)).toBe(201);
    const doc = await c().post('/api/assemblies', { display_name: 'Huge', payload: bash('echo', { files: [{ file_name: 'a.bin', encoding: 'base64', data: 'A'.repeat(16 * 1024 * 1024) }] }) });
    expect(doc.statusCode).toBe(413);
    expect(doc.json().error.code).toBe('payload_too_large');
    const body = await c().post('/api/assemblies', { display_name: 'Huger', payload: bash('echo', { junk: 'A'.repeat(18 * 1024 * 1024) }) });
    expect(body.statusCode).toBe(413);
    expect(body.json().error.code).toBe('payload_too_large');
  });

  it('permissions: a viewer reads but cannot write (403 forbidden)', async () => {
    expect((await viewer.get('/api/assemblies')).statusCode).toBe(200);
    const res = await viewer.post('/api/assemblies', { display_name: 'Nope', payload: bash('true') });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
    expect((await viewer.post(`/api/assemblies/${OFFICIAL_CATALOG[0]!.guid}/clone`, {})).statusCode).toBe(403);
  });

  it('lists with search, domain filter and cursor paging', async () => {
    await create({ display_name: 'Zeta search target', summary: 'needle in a haystack', payload: bash('true') });
    const found = await listAll('&q=needle');
    expect(found.map((a) => a.display_name)).toEqual(['Zeta search target']);
    expect((await listAll('&q=Disk%20Usage')).map((a) => a.display_name)).toEqual(['Linux - Disk Usage']);
    const all = await listAll();
    const users = await listAll('&domain=user');
    expect(users.every((a) => a.domain === 'user')).toBe(true);
    expect(all.length).toBe(users.length + 13);
    expect(new Set(all.map((a) => a.assembly_guid)).size).toBe(all.length);
    expect((await c().get('/api/assemblies?cursor=bogus!')).statusCode).toBe(422);
  });

  it('imports upstream envelopes (40-hex GUID, JSON-text payload, aliases) and authoring documents; on_conflict reject/new_revision/new_guid', async () => {
    const guid = 'a'.repeat(40);
    const upstream = {
      assembly_guid: guid.toUpperCase(),
      assembly_type: 'script',
      assembly_subtype: 'bash',
      display_name: 'Upstream hello',
      domain: 'user',
      summary: 'from upstream',
      payload: JSON.stringify({
        assembly_guid: guid,
        category: 'script',
        description: '',
        files: [],
        name: 'Upstream hello',
        script: Buffer.from('echo "hello $NAME"\n').toString('base64'),
        script_encoding: 'base64',
        sites: { mode: 'all', values: [] },
        timeout_seconds: 60,
        type: 'bash',
        variables: [{ name: 'NAME', label: 'Name', type: 'select', value: 'world', required: false, description: '' }],
      }),
    };
    const first = await c().post('/api/assemblies/import', upstream);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ outcome: 'created', assembly: { assembly_guid: guid, display_name: 'Upstream hello', summary: 'from upstream', domain: 'user' } });
    const imported = first.json().assembly as Assembly;
    expect(imported.payload).toMatchObject({ script: 'echo "hello $NAME"\n', script_encoding: 'plain', variables: [{ name: 'NAME', type: 'string', default: 'world' }] });

    const again = await c().post('/api/assemblies/import', upstream);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('assembly_exists');
    const unchanged = await c().post('/api/assemblies/import?on_conflict=new_revision', upstream);
    expect(unchanged.json()).toMatchObject({ outcome: 'unchanged', assembly: { revision: 1 } });
    const changed = await c().post('/api/assemblies/import?on_conflict=new_revision', { ...upstream, payload: { ...JSON.parse(upstream.payload), script: 'echo changed\n', script_encoding: 'plain' } });
    expect(changed.json()).toMatchObject({ outcome: 'new_revision', assembly: { assembly_guid: guid, revision: 2 } });
    const copy = await c().post('/api/assemblies/import?on_conflict=new_guid', upstream);
    expect(copy.statusCode).toBe(201);
    expect(copy.json().outcome).toBe('new_guid');
    expect(copy.json().assembly.assembly_guid).not.toBe(guid);

    const authoring = await c().post('/api/assemblies/import', { version: 1, name: 'Authoring doc', description: 'd', category: 'script', type: 'bash', script: 'echo a\n', timeout_seconds: 30, variables: [{ name: 'X', type: 'number', defaultValue: 3 }] });
    expect(authoring.statusCode, authoring.body).toBe(201);
    expect(authoring.json().assembly.payload.variables).toEqual([{ name: 'X', type: 'number', default: 3, required: false }]);

    const official = await c().post('/api/assemblies/import?on_conflict=new_revision', { assembly_guid: OFFICIAL_CATALOG[1]!.guid, display_name: 'x', payload: bash('true') });
    expect(official.json().error.code).toBe('assembly_read_only');
    expect((await c().post('/api/assemblies/import', [])).statusCode).toBe(422);
  });

  it('A1 law: export then import into an empty engine keeps content_hash (base64 script in the export)', async () => {
    const a = await create({ display_name: 'Exported', summary: 's', payload: bash('#!/bin/bash\necho "ünïcode ✓"\n', { variables: [{ name: 'N', type: 'number', default: 2.5 }, { name: 'B', type: 'boolean', default: true, required: true }], warning_exit_codes: [3] }) });
    await put(a.assembly_guid, { payload: { ...a.payload, script: 'echo v2\n' } }, 1);
    const res = await c().get(`/api/assemblies/${a.assembly_guid}/export?revision=1`);
    expect(res.statusCode, res.body).toBe(200);
    const exported = res.json() as AssemblyExport;
    expect(exported).toMatchObject({ format: 'borealis-assembly-v1', assembly_guid: a.assembly_guid, revision: 1, content_hash: a.content_hash, payload: { script_encoding: 'base64' } });
    expect(Buffer.from(exported.payload.script, 'base64').toString()).toBe('#!/bin/bash\necho "ünïcode ✓"\n');
    const official = (await c().get(`/api/assemblies/${OFFICIAL_CATALOG[2]!.guid}/export`)).json() as AssemblyExport;

    const other = await startTestEngine({ dialect });
    try {
      const otherAdmin = await setUpEngine(other);
      await other.engine.ctx.db.deleteFrom('assemblies').execute();
      for (const doc of [exported, official]) {
        const imported = await otherAdmin.client.post('/api/assemblies/import', doc);
        expect(imported.statusCode, imported.body).toBe(201);
        expect(imported.json().assembly).toMatchObject({ assembly_guid: doc.assembly_guid, content_hash: doc.content_hash, revision: 1, domain: 'user' });
      }
    } finally {
      await other.close();
    }
  });

  it('seeding the official set is idempotent by hash: unchanged rows stay, a changed one gets a new revision, unlisted official GUIDs go', async () => {
    const db = t.engine.ctx.db;
    const clock = t.engine.ctx.clock;
    expect(await seedOfficialAssemblies({ db, clock })).toEqual({ inserted: 0, updated: 0, unchanged: 13, deleted: 0 });
    const target = OFFICIAL_CATALOG[3]!.guid;
    await db.updateTable('assemblies').set({ content_hash: Buffer.alloc(32) }).where('assembly_guid', '=', target).execute();
    const stray = '00000000-0000-4000-8000-0000000000aa';
    const now = clock.now();
    await db.insertInto('assemblies').values({ assembly_guid: stray, assembly_type: 'script', assembly_subtype: 'bash', display_name: 'Linux - Retired', summary: null, domain: 'official', site_id: null, revision: 1, content_hash: Buffer.alloc(32), platforms: ['linux'], source_path: null, created_by_user_id: null, created_at: now, updated_at: now }).execute();
    expect(await seedOfficialAssemblies({ db, clock })).toEqual({ inserted: 0, updated: 1, unchanged: 12, deleted: 1 });
    expect((await c().get(`/api/assemblies/${target}`)).json()).toMatchObject({ revision: 2 });
    expect((await c().get(`/api/assemblies/${stray}`)).statusCode).toBe(404);
    expect(await seedOfficialAssemblies({ db, clock })).toEqual({ inserted: 0, updated: 0, unchanged: 13, deleted: 0 });
    void admin;
  });
});
