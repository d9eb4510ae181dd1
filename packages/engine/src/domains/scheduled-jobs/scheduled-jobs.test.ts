// Scheduled-jobs API through the real engine (automation.md §3, routes.tsv `scheduled-jobs`):
// create/merge/toggle/delete with If-Match, the 422 codes, preview in a zone (S3), rerun with
// Idempotency-Key and job_disabled, occurrence cancel, history and retention (S6).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine, signInAs, type SignedInAdmin } from '../../../test/factories';
import { insertAssembly, insertDevice, insertSite } from '../../../test/scheduling-fixtures';
import { createFilterEvaluation } from '../filters/filter-evaluation';
import { sweepJobHistory } from './retention';
import { filterResolverOf, resolveTargets } from './targets';

describe.each(DIALECTS)('scheduled jobs API on %s', (dialect) => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  let assembly: string;
  let device: { guid: string; hostname: string };
  let siteId: number;
  const db = () => t.engine.ctx.db;
  const body = (extra: Record<string, unknown> = {}) => ({
    name: 'Disk check',
    components: [{ assembly_guid: assembly }],
    targets: [{ kind: 'device', device_guid: device.guid }],
    schedule: { type: 'daily', start: '2030-01-01T02:30', timezone: 'Europe/Berlin' },
    ...extra,
  });

  beforeAll(async () => {
    t = await startTestEngine({ dialect });
    admin = await setUpEngine(t);
    assembly = await insertAssembly(db());
    siteId = await insertSite(db());
    device = await insertDevice(db(), { siteId });
  });
  afterAll(async () => t?.close());

  it('creates a job with its next occurrence in the zone, reads, merges with If-Match and deletes', async () => {
    const res = await admin.client.post('/api/scheduled_jobs', body());
    expect(res.statusCode, res.body).toBe(201);
    const job = res.json() as { id: number; version: number; next_occurrence_at: string; targets: unknown[]; allowed_site_ids: number[] };
    expect(job.next_occurrence_at).toBe('2030-01-01T01:30:00.000Z');
    expect(job.targets).toEqual([{ kind: 'device', device_guid: device.guid, hostname: device.hostname }]);
    expect(job.allowed_site_ids).toEqual([]);
    const got = await admin.client.get(`/api/scheduled_jobs/${job.id}`);
    expect(got.headers.etag).toBe('"1"');
    const stale = await admin.client.request('PUT', `/api/scheduled_jobs/${job.id}`, { body: { name: 'x' }, headers: { 'if-match': '"7"' } });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('version_conflict');
    const empty = await admin.client.request('PUT', `/api/scheduled_jobs/${job.id}`, { body: {} });
    expect(empty.json().error.code).toBe('no_fields_to_update');
    const put = await admin.client.request('PUT', `/api/scheduled_jobs/${job.id}`, { body: { schedule: { type: 'cron', cron: '0 9 * * 1-5', timezone: 'America/New_York' } }, headers: { 'if-match': '1' } });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ name: 'Disk check', version: 2, schedule: { type: 'cron' } });
    const list = await admin.client.get('/api/scheduled_jobs');
    expect((list.json() as { jobs: Array<{ id: number }> }).jobs.map((j) => j.id)).toContain(job.id);
    expect((await admin.client.delete(`/api/scheduled_jobs/${job.id}`)).statusCode).toBe(204);
    expect((await admin.client.get(`/api/scheduled_jobs/${job.id}`)).statusCode).toBe(404);
  });

  it('answers the schedule and target errors with their codes and creates nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ schedule: { type: 'daily', start: '2030-01-01T02:30', timezone: 'Mars/Base' } }, 'invalid_timezone'],
      [{ schedule: { type: 'cron', cron: '99 * * * *' } }, 'invalid_cron'],
      [{ schedule: { type: 'weekly' } }, 'start_required'],
      [{ targets: ['no-such-host'] }, 'unknown_targets'],
      [{ targets: [] }, 'validation_failed'],
      [{ components: [] }, 'validation_failed'],
      [{ components: [{ assembly_guid: 'ffffffff-0000-4000-8000-000000000000' }] }, 'validation_failed'],
      [{ expiration: 'soon' }, 'validation_failed'],
    ];
    const before = await db().selectFrom('scheduled_jobs').select('id').execute();
    for (const [extra, code] of cases) {
      const res = await admin.client.post('/api/scheduled_jobs', body(extra));
      expect(res.statusCode, JSON.stringify(extra)).toBe(422);
      expect(res.json().error.code, JSON.stringify(extra)).toBe(code);
    }
    expect(await db().selectFrom('scheduled_jobs').select('id').execute()).toEqual(before);
  });

  it('S3: schedule_preview shows the DST shift in the chosen zone and caps count at 20', async () => {
    const res = await admin.client.post('/api/scheduled_jobs/schedule_preview', { schedule: { type: 'daily', start: '2030-03-30T02:30', timezone: 'Europe/Berlin' }, count: 2 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      timezone: 'Europe/Berlin',
      occurrences: [
        { at: '2030-03-30T01:30:00.000Z', local: '2030-03-30T02:30:00+01:00' },
        { at: '2030-03-31T01:30:00.000Z', local: '2030-03-31T03:30:00+02:00' },
      ],
    });
    expect((await admin.client.post('/api/scheduled_jobs/schedule_preview', { schedule: { type: 'hourly', start: '2030-01-01T00:00Z' }, count: 21 })).statusCode).toBe(422);
  });

  it('rerun honours Idempotency-Key, a disabled job answers 409 job_disabled, an occurrence can be cancelled', async () => {
    const job = (await admin.client.post('/api/scheduled_jobs', body())).json() as { id: number };
    const first = await admin.client.request('POST', `/api/scheduled_jobs/${job.id}/rerun`, { body: {}, headers: { 'idempotency-key': 'k-1' } });
    expect(first.statusCode, first.body).toBe(202);
    const again = await admin.client.request('POST', `/api/scheduled_jobs/${job.id}/rerun`, { body: {}, headers: { 'idempotency-key': 'k-1' } });
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const occurrences = await db().selectFrom('scheduled_job_occurrences').select(['id', 'trigger']).where('job_id', '=', job.id).execute();
    expect(occurrences).toEqual([{ id: first.json().occurrence_id, trigger: 'manual' }]);

    const cancel = await admin.client.post(`/api/scheduled_jobs/${job.id}/occurrences/${first.json().occurrence_id}/cancel`, {});
    expect(cancel.statusCode, cancel.body).toBe(202);
    const runs = await admin.client.get(`/api/scheduled_jobs/${job.id}/runs`);
    expect(runs.statusCode, runs.body).toBe(200);
    expect((runs.json() as { occurrences: Array<{ status: string }> }).occurrences[0]!.status).toBe('Cancelled');

    const off = await admin.client.post(`/api/scheduled_jobs/${job.id}/toggle`, { enabled: false });
    expect(off.json()).toMatchObject({ enabled: false });
    const refused = await admin.client.post(`/api/scheduled_jobs/${job.id}/rerun`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('job_disabled');
  });

  it('a site operator sees only jobs of their sites; a viewer cannot create; out-of-scope targets are unknown', async () => {
    const otherSite = await insertSite(db());
    const stranger = await insertDevice(db(), { siteId: otherSite });
    const op = await signInAs(t, { role: 'operator', siteIds: [{ siteId }] });
    const mine = await op.client.post('/api/scheduled_jobs', body());
    expect(mine.statusCode, mine.body).toBe(201);
    expect(mine.json().allowed_site_ids).toEqual([siteId]);
    const foreign = await op.client.post('/api/scheduled_jobs', body({ targets: [stranger.hostname] }));
    expect(foreign.json().error.code).toBe('unknown_targets');
    const list = (await op.client.get('/api/scheduled_jobs')).json() as { jobs: Array<{ id: number }> };
    expect(list.jobs.map((j) => j.id)).toEqual([mine.json().id]);
    const viewer = await signInAs(t, { role: 'viewer', siteIds: [{ siteId }] });
    expect((await viewer.client.post('/api/scheduled_jobs', body())).statusCode).toBe(403);
  });

  it('S6: retention drops 31-day-old terminal occurrences only', async () => {
    const job = (await admin.client.post('/api/scheduled_jobs', body({ enabled: false }))).json() as { id: number };
    const now = new Date('2031-06-01T00:00:00Z');
    const old = new Date(now.getTime() - 31 * 86_400_000);
    const insert = (status: string, at: Date) =>
      db().insertInto('scheduled_job_occurrences').values({ job_id: job.id, scheduled_for: at, trigger: 'schedule', status, counts_json: '{}', finished_at: status === 'Running' ? null : at }).returning('id').executeTakeFirstOrThrow();
    const oldDone = await insert('Success', old);
    const oldOpen = await insert('Running', new Date(old.getTime() + 60_000));
    const recent = await insert('Success', new Date(now.getTime() - 29 * 86_400_000));
    await sweepJobHistory(db(), now, 30);
    const left = (await db().selectFrom('scheduled_job_occurrences').select('id').where('job_id', '=', job.id).execute()).map((r) => r.id);
    expect(left.sort()).toEqual([oldOpen.id, recent.id].sort());
    expect(left).not.toContain(oldDone.id);
  });

  describe('saved filter targets', () => {
    const createFilter = async (name: string, prefix: string) => {
      const res = await admin.client.post('/api/device_filters', { name, criteria: { groups: [{ conditions: [{ field: 'hostname', operator: 'begins_with', value: prefix }] }] } });
      expect(res.statusCode, res.body).toBe(201);
      return (res.json() as { id: number }).id;
    };

    it('a filter target resolves per occurrence within allowed_site_ids; a device joining later is picked up', async () => {
      const other = await insertSite(db());
      const inside = await insertDevice(db(), { siteId, hostname: 'sjf-a' });
      const outside = await insertDevice(db(), { siteId: other, hostname: 'sjf-b' });
      const filterId = await createFilter('Scheduled filter targets', 'sjf-');
      const resolve = filterResolverOf(createFilterEvaluation({ clock: t.engine.ctx.clock }));
      const target = [{ kind: 'filter' as const, filter_id: filterId }];
      const all = await resolveTargets(db(), target, [], resolve);
      expect(all.map((d) => d.guid).sort()).toEqual([inside.guid, outside.guid].sort());
      expect(all.every((d) => d.resolved_from === `filter:${filterId}`)).toBe(true);
      expect((await resolveTargets(db(), target, [siteId], resolve)).map((d) => d.guid)).toEqual([inside.guid]);
      const later = await insertDevice(db(), { siteId, hostname: 'sjf-c' });
      expect((await resolveTargets(db(), target, [siteId], resolve)).map((d) => d.guid).sort()).toEqual([inside.guid, later.guid].sort());
    });

    it('a filter used by a scheduled job is listed by /usage and cannot be deleted or archived (409 filter_in_use)', async () => {
      const filterId = await createFilter('Used by a job', 'sju-');
      const res = await admin.client.post('/api/scheduled_jobs', body({ name: 'Filter job', targets: [{ kind: 'filter', filter_id: filterId }] }));
      expect(res.statusCode, res.body).toBe(201);
      const job = res.json() as { id: number };
      const usage = await admin.client.get(`/api/device_filters/${filterId}/usage`);
      expect(usage.statusCode).toBe(200);
      expect(usage.json()).toEqual({ filter_id: filterId, scheduled_jobs: [{ id: job.id, name: 'Filter job', enabled: true }] });
      const del = await admin.client.delete(`/api/device_filters/${filterId}`);
      expect(del.statusCode).toBe(409);
      expect(del.json().error.code).toBe('filter_in_use');
      const archive = await admin.client.post(`/api/device_filters/${filterId}/archive`, {});
      expect(archive.statusCode).toBe(409);
      expect(archive.json().error.code).toBe('filter_in_use');
      expect((await admin.client.delete(`/api/scheduled_jobs/${job.id}`)).statusCode).toBe(204);
      expect((await admin.client.get(`/api/device_filters/${filterId}/usage`)).json()).toEqual({ filter_id: filterId, scheduled_jobs: [] });
      expect((await admin.client.delete(`/api/device_filters/${filterId}`)).statusCode).toBe(200);
    });
  });

  it('purging a device removes it from scheduled job targets and reports the counts', async () => {
    const gone = await insertDevice(db(), { siteId, hostname: 'purge-me' });
    const stays = await insertDevice(db(), { siteId, hostname: 'purge-keep' });
    const shared = (await admin.client.post('/api/scheduled_jobs', body({ name: 'Shared', targets: [{ kind: 'device', device_guid: gone.guid }, { kind: 'device', device_guid: stays.guid }] }))).json() as { id: number };
    const only = (await admin.client.post('/api/scheduled_jobs', body({ name: 'Only', targets: [{ kind: 'device', device_guid: gone.guid }] }))).json() as { id: number };
    const res = await admin.client.post(`/api/devices/${gone.guid}/purge`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().scheduled_jobs).toEqual({ updated: 1, deleted: 1, targets_removed: 2 });
    const after = (await admin.client.get(`/api/scheduled_jobs/${shared.id}`)).json() as { targets: Array<{ device_guid: string }>; version: number };
    expect(after.targets.map((x) => x.device_guid)).toEqual([stays.guid]);
    expect(after.version).toBe(2);
    expect((await admin.client.get(`/api/scheduled_jobs/${only.id}`)).statusCode).toBe(404);
  });
});
