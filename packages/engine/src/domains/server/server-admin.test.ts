// The server administration and log viewer routes through the real HTTP stack on PGlite and
// PostgreSQL: overview facts (nodes, local-CA certificate, Aegis, operators online, devices),
// workers, keyset-paged work items, the log viewer (tail, filter, retention, delete), admin-only,
// and log names that try to leave the log root refused with the error envelope.

import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEntries, LogList, ServerOverview, ServerWorkers, WorkItemList } from '@borealis/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine, signInAs, type SignedInAdmin } from '../../../test/factories';

describe.each(DIALECTS)('server administration on %s', (dialect) => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  let siteId: number;
  beforeAll(async () => {
    t = await startTestEngine({ dialect, env: { BOREALIS_TLS: 'on' } });
    admin = await setUpEngine(t);
    const now = t.engine.ctx.clock.now();
    siteId = (
      await t.engine.ctx.db
        .insertInto('sites')
        .values({ name: 'North', enrollment_code_hash: randomBytes(32), enrollment_code_rotated_at: now, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  });
  afterAll(async () => {
    await t?.close();
  });
  const putRetention = (body: unknown) => admin.client.request('PUT', '/api/server/logs/retention', { body });

  it('overview reports the certificate from the local CA, Aegis, operators online and device counts', async () => {
    const res = await admin.client.get('/api/server/overview');
    expect(res.statusCode).toBe(200);
    const o = res.json() as ServerOverview;
    expect(o.certificate).not.toBeNull();
    expect(o.certificate!.local_ca).toBe(true);
    expect(o.certificate!.days_left).toBeGreaterThan(0);
    expect(o.certificate!.fingerprint_sha256).toMatch(/^[0-9A-F:]+$/);
    expect(o.aegis).toMatchObject({ configured: true, locked: false });
    expect(o.operators_online.users.map((u) => u.username)).toContain(admin.username);
    expect(o.devices).toEqual({ online: 0, total: 0 });
    expect(o.services.map((s) => s.service)).toContain('api-backend');
    expect(o.engine.database).toBe(dialect);
  });

  it('workers lists site workers and per-site counts', async () => {
    const now = t.engine.ctx.clock.now();
    const guid = randomUUID();
    await t.engine.ctx.db
      .insertInto('job_scheduler_workers')
      .values({ worker_guid: guid, name: 'north-1', kind: 'site_worker', site_id: siteId, lanes: ['quick'], status: 'running', launcher: 'in_process', host: 'h', pid: 1, concurrency: 4, generation: 1, started_at: now, last_heartbeat_at: now, stopped_at: null })
      .execute();
    const res = await admin.client.get('/api/server/workers');
    expect(res.statusCode).toBe(200);
    const w = res.json() as ServerWorkers;
    expect(w.workers.find((x) => x.worker_guid === guid)).toMatchObject({ name: 'north-1', site_id: siteId, status: 'running', lanes: ['quick'] });
    expect(w.sites.find((s) => s.site_id === siteId)).toMatchObject({ name: 'North', devices: 0 });
  });

  it('work items page newest first, filter by status and site, show leases', async () => {
    const now = t.engine.ctx.clock.now();
    const lease = new Date(now.getTime() + 60_000);
    for (let i = 0; i < 5; i += 1) {
      await t.engine.ctx.db
        .insertInto('job_scheduler_work_items')
        .values({ dedupe_key: `k-${i}-${randomUUID()}`, kind: 'scheduled_occurrence', lane: 'scheduled', site_id: siteId, job_id: null, run_id: null, target_id: null, payload_json: '{}', status: i % 2 === 0 ? 'running' : 'queued', priority: 0, available_at: now, lease_owner: i % 2 === 0 ? 'worker-a' : null, lease_expires_at: i % 2 === 0 ? lease : null, heartbeat_at: null, worker_guid: null, error: null, created_at: now, updated_at: now, finished_at: null })
        .execute();
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await admin.client.get(`/api/server/work_items?limit=2&site_id=${siteId}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json() as WorkItemList;
      seen.push(...page.items.map((x) => x.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect([...seen].sort((a, b) => Number(b) - Number(a))).toEqual(seen);
    const running = (await admin.client.get(`/api/server/work_items?status=running&site_id=${siteId}`)).json() as WorkItemList;
    expect(running.items).toHaveLength(3);
    expect(running.items.every((x) => x.lease_owner === 'worker-a' && x.lease_expires_at === lease.toISOString())).toBe(true);
    const bad = await admin.client.get('/api/server/work_items?status=nope');
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('log list shows engine.log per service; entries tail with limit, offset and filter', async () => {
    const list = (await admin.client.get('/api/server/logs')).json() as LogList;
    expect(list.logs.map((l) => l.name)).toContain('api-backend:engine.log');
    expect(list.default_retention_days).toBe(30);
    const dir = join(t.home, 'Services', 'api-backend', 'logs');
    writeFileSync(join(dir, 'sample.log'), Array.from({ length: 10 }, (_, i) => `line ${i}${i % 3 === 0 ? ' needle' : ''}`).join('\n') + '\n');
    const tail = (await admin.client.get('/api/server/logs/api-backend:sample.log/entries?limit=3')).json() as LogEntries;
    expect(tail).toMatchObject({ entries: ['line 7', 'line 8', 'line 9 needle'], total_lines: 10, returned_lines: 3, truncated: true });
    const back = (await admin.client.get('/api/server/logs/api-backend:sample.log/entries?limit=3&offset=8')).json() as LogEntries;
    expect(back).toMatchObject({ entries: ['line 0 needle', 'line 1'], truncated: false });
    const filtered = (await admin.client.get('/api/server/logs/api-backend:sample.log/entries?filter=NEEDLE')).json() as LogEntries;
    expect(filtered.entries).toEqual(['line 0 needle', 'line 3 needle', 'line 6 needle', 'line 9 needle']);
    const engineLog = (await admin.client.get('/api/server/logs/api-backend:engine.log/entries')).json() as LogEntries;
    expect(engineLog.entries.length).toBeGreaterThan(0);
  });

  it('path traversal and unknown names are refused with the error envelope', async () => {
    for (const name of ['..%2F..%2Fsecrets%3Aengine_secret.txt', 'api-backend:..%2Fsecrets%2Fengine_secret.txt', 'api-backend:.hidden', '..:engine.log']) {
      const res = await admin.client.get(`/api/server/logs/${name}/entries`);
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ error: { code: 'validation_failed' } });
      expect(res.body).not.toContain('BEGIN');
    }
    symlinkSync(join(t.home, 'Services', 'api-backend', 'secrets', 'engine_secret.txt'), join(t.home, 'Services', 'api-backend', 'logs', 'linked.log'));
    const linked = await admin.client.get('/api/server/logs/api-backend:linked.log/entries');
    expect(linked.statusCode).toBe(404);
    expect(((await admin.client.get('/api/server/logs')).json() as LogList).logs.map((l) => l.name)).not.toContain('api-backend:linked.log');
    const missing = await admin.client.get('/api/server/logs/api-backend:nope.log/entries');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'not_found' } });
    const del = await admin.client.delete('/api/server/logs/..%2F..%2Fengine.log');
    expect(del.statusCode).toBe(422);
    expect(del.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('retention is stored per file, applied to rolled files, and delete removes or empties', async () => {
    const dir = join(t.home, 'Services', 'api-backend', 'logs');
    const old = join(dir, 'sample.log.2020-01-01');
    writeFileSync(old, 'old\n');
    utimesSync(old, new Date('2020-01-01'), new Date('2020-01-01'));
    const put = await putRetention({ retention: [{ file: 'api-backend:sample.log', days: 7 }] });
    expect(put.statusCode).toBe(200);
    const list = put.json() as LogList;
    expect(list.retention_overrides).toEqual({ 'api-backend:sample.log': 7 });
    expect(list.retention_deleted).toContain('api-backend:sample.log.2020-01-01');
    expect(existsSync(old)).toBe(false);
    expect(list.logs.find((l) => l.name === 'api-backend:sample.log')?.retention_days).toBe(7);
    const unknown = await putRetention({ retention: { 'api-backend:ghost.log': 3 } });
    expect(unknown.statusCode).toBe(404);
    const bad = await putRetention({ retention: { 'api-backend:sample.log': 0 } });
    expect(bad.statusCode).toBe(422);

    const rolled = join(dir, 'sample.log.2026-01-02');
    mkdirSync(dir, { recursive: true });
    writeFileSync(rolled, 'x\n');
    const delRolled = await admin.client.delete('/api/server/logs/api-backend:sample.log.2026-01-02');
    expect(delRolled.json()).toEqual({ file: 'api-backend:sample.log.2026-01-02', deleted: true, truncated: false });
    expect(existsSync(rolled)).toBe(false);
    const delLive = await admin.client.delete('/api/server/logs/api-backend:sample.log');
    expect(delLive.json()).toMatchObject({ deleted: false, truncated: true });
    const audit = await t.engine.ctx.db.selectFrom('audit_events').select('action').where('action', 'like', 'server.log%').execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['server.log_deleted', 'server.log_deleted', 'server.log_retention_changed']);
  });

  it('every server and logs route is admin-only', async () => {
    const { client: operator } = await signInAs(t, { role: 'operator' });
    for (const path of ['/api/server/overview', '/api/server/workers', '/api/server/work_items', '/api/server/logs', '/api/server/logs/api-backend:engine.log/entries']) {
      const res = await operator.get(path);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toHaveProperty('error.code');
    }
    expect((await operator.delete('/api/server/logs/api-backend:engine.log')).statusCode).toBe(403);
  });
});
