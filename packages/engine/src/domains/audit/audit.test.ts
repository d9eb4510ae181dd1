// GET /api/audit through the real HTTP stack on PGlite and PostgreSQL (security.md §9.3, S33):
// filters return exactly the matching rows, keyset paging walks every row once while rows are
// being written, admins only, and bad filters answer 422 with their path.

import type { AuditEvent, AuditEventList } from '@borealis/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine, signInAs, type SignedInAdmin } from '../../../test/factories';
import { createManualClock } from '../../clock';
import { encodeCursor } from '../../db/cursor';
import type { AuditEventsTable } from '../../db/schema';
import { createAuditLog, type Actor, type AuditEvent as AuditInput } from './audit-log';

type Row = Pick<AuditEventsTable, 'action' | 'actor_type' | 'outcome' | 'severity'> & {
  id: string;
  at: Date;
  actor_id: string | null;
  actor_name: string | null;
  target_type: string | null;
  target_id: string | null;
  site_id: number | null;
};

const userActor = (name: string, over: Partial<Actor> = {}): Actor => ({ type: 'user', id: `id-${name}`, name, ip: '10.9.8.7', requestId: null, ...over });

describe.each(DIALECTS)('GET /api/audit on %s', (dialect) => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  beforeAll(async () => {
    t = await startTestEngine({ dialect });
    admin = await setUpEngine(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Writes through the engine's own writer (dated now), or a writer whose clock reads `at`. */
  async function write(actor: Actor, event: AuditInput, at?: string): Promise<void> {
    const writer = at === undefined ? t.engine.ctx.security!.audit : createAuditLog({ clock: createManualClock(at) });
    await writer.record(t.engine.ctx.db, actor, event);
  }

  /** Every row as the database holds it, newest first. */
  async function allRows(): Promise<Row[]> {
    return t.engine.ctx.db
      .selectFrom('audit_events')
      .select(['id', 'at', 'action', 'actor_type', 'actor_id', 'actor_name', 'target_type', 'target_id', 'site_id', 'outcome', 'severity'])
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .execute();
  }

  async function list(query: string): Promise<AuditEventList> {
    const res = await admin.client.get(`/api/audit?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }

  /** Follows next_cursor to the end; `between` runs after each page. */
  async function walk(query: string, between?: (page: number) => Promise<void>): Promise<AuditEvent[]> {
    const seen: AuditEvent[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 100; page++) {
      const body = await list(`${query}${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...body.events);
      if (body.next_cursor === null) return seen;
      cursor = body.next_cursor;
      await between?.(page);
    }
    throw new Error('paging did not end');
  }

  async function expectExactly(query: string, predicate: (r: Row) => boolean): Promise<string[]> {
    const expected = (await allRows()).filter(predicate).map((r) => r.id);
    const got = (await walk(`limit=500&${query}`)).map((e) => e.id);
    expect(got).toEqual(expected);
    return got;
  }

  it('answers the newest events first with every field, including the setup the engine just went through', async () => {
    const body = await list('');
    const rows = await allRows();
    expect(body.events.map((e) => e.id)).toEqual(rows.slice(0, 50).map((r) => r.id));
    expect(body.next_cursor).toBeNull();
    const actions = body.events.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['aegis.setup', 'bootstrap.admin_created']));
    const created = body.events.find((e) => e.action === 'bootstrap.admin_created')!;
    expect(Object.keys(created).sort()).toEqual(
      ['id', 'at', 'actor_type', 'actor_id', 'actor_name', 'actor_ip', 'action', 'target_type', 'target_id', 'site_id', 'outcome', 'severity', 'details', 'request_id'].sort(),
    );
    expect(created.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(created).toMatchObject({ outcome: 'success', severity: 'info' });
    expect(typeof created.details).toBe('object');
  });

  describe('filters (S33)', () => {
    beforeAll(async () => {
      await write(userActor('zelda'), { action: 'auth.login.failed', outcome: 'failure', details: { reason: 'invalid_credentials', username: 'zelda' } });
      await write(userActor('Zeb'), { action: 'auth.login.failed', outcome: 'failure', severity: 'warning', details: { reason: 'locked' } });
      await write(userActor('zed-ops'), { action: 'auth.login.succeeded', details: { method: 'password' } });
      await write(userActor('azed'), { action: 'authz.probe', outcome: 'denied' });
      await write(userActor('z%_x'), { action: 'site_a.renamed', targetType: 'site', targetId: 7, siteId: 7 });
      await write(userActor('zz'), { action: 'siteXa.renamed', targetType: 'site', targetId: 8, siteId: 8, outcome: 'failure' });
      await write({ type: 'device', id: 'DEV-1', name: 'host-1', ip: null, requestId: null }, { action: 'device.reauth', severity: 'high', siteId: 7 });
    });

    it('matches an action prefix ending in .* and nothing that merely starts with the same letters', async () => {
      const got = await expectExactly('action=auth.*', (r) => r.action.startsWith('auth.'));
      expect(got.length).toBeGreaterThanOrEqual(3);
    });

    it('matches an exact action, and any of a repeated action', async () => {
      await expectExactly('action=auth.login.failed', (r) => r.action === 'auth.login.failed');
      await expectExactly('action=site_a.*&action=device.reauth', (r) => r.action.startsWith('site_a.') || r.action === 'device.reauth');
    });

    it('treats _ and % in a prefix literally', async () => {
      await expectExactly('action=site_a.*', (r) => r.action === 'site_a.renamed');
      await expectExactly('actor=z%25_', (r) => r.actor_name === 'z%_x');
    });

    it('matches outcome=failure, alone and with an action prefix', async () => {
      await expectExactly('outcome=failure', (r) => r.outcome === 'failure');
      await expectExactly('action=auth.*&outcome=failure', (r) => r.action.startsWith('auth.') && r.outcome === 'failure');
    });

    it('matches the actor by username prefix, ignoring case', async () => {
      await expectExactly('actor=ze', (r) => ['zelda', 'Zeb', 'zed-ops'].includes(r.actor_name ?? ''));
      await expectExactly('actor=ZED', (r) => r.actor_name === 'zed-ops');
    });

    it('matches actor type and id, target, site and severity', async () => {
      await expectExactly('actor_type=device', (r) => r.actor_type === 'device');
      await expectExactly('actor_id=id-Zeb', (r) => r.actor_id === 'id-Zeb');
      await expectExactly('target_type=site&target_id=8', (r) => r.target_type === 'site' && r.target_id === '8');
      await expectExactly('site_id=7', (r) => r.site_id === 7);
      await expectExactly('severity=high', (r) => r.severity === 'high');
      await expectExactly('severity=warning&actor=zeb', (r) => r.severity === 'warning' && r.actor_name === 'Zeb');
    });

    it('matches a time range, from inclusive and to exclusive', async () => {
      for (const day of ['01', '02', '03', '04', '05']) await write(userActor('time-traveller'), { action: 'test.range' }, `2020-01-${day}T00:00:00Z`);
      const got = await expectExactly(
        'action=test.range&from=2020-01-02T00:00:00Z&to=2020-01-04T00:00:00Z',
        (r) => r.action === 'test.range' && r.at >= new Date('2020-01-02T00:00:00Z') && r.at < new Date('2020-01-04T00:00:00Z'),
      );
      expect(got).toHaveLength(2);
      const withOffset = await list('action=test.range&from=2020-01-04T01:00:00%2B02:00');
      expect(withOffset.events.map((e) => e.at)).toEqual(['2020-01-05T00:00:00.000Z', '2020-01-04T00:00:00.000Z']);
      const byDate = await list('action=test.range&to=2020-01-03');
      expect(byDate.events.map((e) => e.at)).toEqual(['2020-01-02T00:00:00.000Z', '2020-01-01T00:00:00.000Z']);
    });

    it('answers an empty page when nothing matches', async () => {
      expect(await list('action=nothing.like.this')).toEqual({ events: [], next_cursor: null });
    });
  });

  describe('keyset paging (S33)', () => {
    const pageRows = [
      '2021-03-01T00:00:00.000001Z',
      '2021-03-01T00:00:00.000002Z',
      '2021-03-02T00:00:00Z',
      '2021-03-02T00:00:00Z',
      '2021-03-02T00:00:00Z',
      '2021-03-03T00:00:00Z',
      '2021-03-04T00:00:00Z',
    ];
    let original: Row[] = [];
    beforeAll(async () => {
      // Rows one microsecond apart and rows sharing one instant test both halves of (at, id).
      for (const [i, at] of pageRows.entries()) {
        await t.engine.ctx.db
          .insertInto('audit_events')
          .values({ id: crypto.randomUUID(), at, actor_type: 'system', actor_name: 'system', action: `test.page.n${i}`, outcome: 'success', severity: 'info', details: '{}' })
          .execute();
      }
      original = (await allRows()).filter((r) => r.action.startsWith('test.page.'));
      expect(original).toHaveLength(7);
    });

    let added = 0;
    const addRow = () => write(userActor('pager'), { action: `test.page.added${added++}` });

    it('walks 7 rows two at a time, newest first, each once, while new rows are written between pages', async () => {
      const pages: number[] = [];
      const seen = await walk('action=test.page.*&limit=2', async (page) => {
        pages.push(page);
        await addRow();
      });
      expect(pages).toHaveLength(3);
      expect(seen.map((e) => e.id)).toEqual(original.map((r) => r.id));
    });

    it('walks oldest first with sort=at, taking the rows written meanwhile at the end, each once', async () => {
      const before = added;
      const seen = await walk('action=test.page.*&limit=2&sort=at', addRow);
      const ids = seen.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.slice(0, 7)).toEqual(original.map((r) => r.id).reverse());
      const all = (await allRows()).filter((r) => r.action.startsWith('test.page.')).reverse();
      expect(ids).toEqual(all.map((r) => r.id));
      expect(ids.length).toBeGreaterThan(7);
      expect(added).toBeGreaterThan(before);
      const ats = seen.map((e) => Date.parse(e.at));
      expect(ats).toEqual([...ats].sort((a, b) => a - b));
    });

    it('returns next_cursor null on the last page and honours the default limit of 50', async () => {
      for (let i = 0; i < 55; i++) await write(userActor('bulk'), { action: 'test.bulk' });
      const first = await list('action=test.bulk');
      expect(first.events).toHaveLength(50);
      expect(first.next_cursor).toEqual(expect.any(String));
      const last = await list(`action=test.bulk&cursor=${first.next_cursor}`);
      expect(last.events).toHaveLength(5);
      expect(last.next_cursor).toBeNull();
      expect((await list('action=test.bulk&limit=55')).next_cursor).toBeNull();
    });
  });

  describe('access', () => {
    it('answers 403 forbidden to an operator and a viewer', async () => {
      for (const role of ['operator', 'viewer'] as const) {
        const { client } = await signInAs(t, { role });
        const res = await client.get('/api/audit');
        expect(res.statusCode, role).toBe(403);
        expect(res.json().error.code).toBe('forbidden');
      }
    });

    it('answers 401 without a session', async () => {
      const res = await t.engine.app!.inject({ method: 'GET', url: '/api/audit' });
      expect(res.statusCode).toBe(401);
    });
  });

  describe('validation', () => {
    async function expect422(query: string, path: string): Promise<void> {
      const res = await admin.client.get(`/api/audit?${query}`);
      expect(res.statusCode, `${query}: ${res.body}`).toBe(422);
      const error = res.json().error;
      expect(error.code).toBe('validation_failed');
      expect(error.details.map((d: { path: string }) => d.path), query).toContain(path);
    }

    it('rejects a from that is not an ISO-8601 date-time with 422 naming query.from', async () => {
      await expect422('from=yesterday', 'query.from');
      await expect422('from=2026-01-01T00:00:00', 'query.from');
      await expect422('to=2026-02-30', 'query.to');
    });

    it('rejects a range that ends before it starts', async () => {
      await expect422('from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'query.to');
    });

    it('rejects a bad action, limit, enum value or unknown filter', async () => {
      await expect422('action=auth.%25', 'query.action');
      await expect422('action=auth.*&action=AUTH', 'query.action.1');
      await expect422('limit=501', 'query.limit');
      await expect422('limit=0', 'query.limit');
      await expect422('outcome=maybe', 'query.outcome');
      await expect422('sort=action', 'query.sort');
      await expect422('site_id=abc', 'query.site_id');
      await expect422('colour=red', 'query');
    });

    it('rejects a cursor it did not issue', async () => {
      await expect422('cursor=not-a-cursor', 'query.cursor');
      await expect422('cursor=%2B%2F%3D', 'query.cursor');
      await expect422(`cursor=${encodeCursor({ key: '2021-02-30T00:00:00.000000Z', id: crypto.randomUUID() })}`, 'query.cursor');
      await expect422(`cursor=${encodeCursor({ key: '2021-02-01T00:00:00.000000Z', id: 'DROP TABLE' })}`, 'query.cursor');
      await expect422(`cursor=${Buffer.from('{"key":1}').toString('base64url')}`, 'query.cursor');
    });
  });
});
