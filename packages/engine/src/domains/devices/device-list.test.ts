// The device list through the real HTTP stack on PGlite and PostgreSQL: keyset pages without
// duplicates or gaps, every whitelisted sort, search, filters, counts, site scope and retired devices.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine, signInAs, type SignedInAdmin } from '../../../test/factories';
import type { OperatorClient } from '../../../test/operator-client';
import { insertDevice, insertSite } from './device-test-factory';

interface Item {
  guid: string;
  hostname: string;
  site_id: number | null;
  site_name: string | null;
  status: string;
  presence: string;
  last_seen: string | null;
  operating_system: string | null;
  enrolled_at: string;
  internal_ip: string | null;
}
interface Page {
  devices: Item[];
  next_cursor: string | null;
  count_estimate: number;
  count?: number;
}

describe.each(DIALECTS)('device list on %s', (dialect) => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  let operator: OperatorClient;
  let siteA: number;
  let siteB: number;
  const db = () => t.engine.ctx.db;
  const page = async (client: OperatorClient, query: string): Promise<Page> => {
    const res = await client.get(`/api/devices?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Page;
  };
  /** Every item of every page, following next_cursor. */
  const walk = async (client: OperatorClient, query: string, limit: number): Promise<Item[]> => {
    const all: Item[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 100; i += 1) {
      const p: Page = await page(client, `${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      all.push(...p.devices);
      cursor = p.next_cursor;
      if (!cursor) return all;
    }
    throw new Error('more than 100 pages');
  };

  beforeAll(async () => {
    t = await startTestEngine({ dialect });
    admin = await setUpEngine(t);
    siteA = await insertSite(db(), 'Alpha');
    siteB = await insertSite(db(), 'Bravo');
    // 30 devices in A, 15 in B, 5 unassigned; names repeat a prefix so sorts tie on other keys.
    for (let i = 0; i < 50; i += 1) {
      const site = i < 30 ? siteA : i < 45 ? siteB : null;
      await insertDevice(db(), {
        display_name: `node-${String(i % 25).padStart(2, '0')}-${i < 25 ? 'x' : 'y'}`,
        site_id: site,
        operating_system: i % 3 === 0 ? 'Ubuntu 24.04' : i % 3 === 1 ? 'Debian 12' : null,
        description: i === 7 ? 'Mail relay in the basement' : null,
        heartbeat: {
          last_seen_at: i % 4 === 0 ? null : new Date(Date.UTC(2026, 10, 25, 12, i % 10)),
          presence_node_id: i % 2 === 0 ? 'api-1' : null,
          internal_ip: `10.1.${i}.5`,
          last_user: i === 9 ? 'marit.hansen' : null,
        },
      });
    }
    await insertDevice(db(), { display_name: 'old-retired', site_id: siteA, status: 'decommissioned' });
    operator = (await signInAs(t, { role: 'operator', siteIds: [{ siteId: siteB }] })).client;
  });
  afterAll(() => t?.close());

  it('DM17: walking the keyset pages by hostname yields no duplicate and no gap', async () => {
    const all = await walk(admin.client, 'sort=hostname', 7);
    expect(all).toHaveLength(50);
    expect(new Set(all.map((d) => d.guid)).size).toBe(50);
    const names = all.map((d) => d.hostname.toLowerCase());
    expect(names).toEqual([...names].sort());
  });

  it.each(['hostname', '-hostname', 'last_seen', '-last_seen', 'site', '-site', 'status', '-status', 'os', '-os', 'enrolled_at', '-enrolled_at'])(
    'DM17: walks every device exactly once, in order, when sorted by %s',
    async (sort) => {
      const all = await walk(admin.client, `sort=${sort}`, 6);
      expect(all).toHaveLength(50);
      expect(new Set(all.map((d) => d.guid)).size).toBe(50);
      const desc = sort.startsWith('-');
      const key = (d: Item): string | number => {
        switch (sort.replace('-', '')) {
          case 'last_seen':
            // Never seen: last ascending (NULLS LAST), first descending (NULLS FIRST).
            return d.last_seen ? Date.parse(d.last_seen) : Number.POSITIVE_INFINITY;
          case 'site':
            return (d.site_name ?? '').toLowerCase();
          case 'status':
            return d.status;
          case 'os':
            return (d.operating_system ?? '').toLowerCase();
          case 'enrolled_at':
            return Date.parse(d.enrolled_at);
          default:
            return d.hostname.toLowerCase();
        }
      };
      for (let i = 1; i < all.length; i += 1) {
        const [a, b] = [key(all[i - 1]!), key(all[i]!)];
        if (desc) expect(a >= b, `${sort}: ${a} before ${b}`).toBe(true);
        else expect(a <= b, `${sort}: ${a} before ${b}`).toBe(true);
      }
    },
  );

  it('counts with an estimate by default and exactly when asked', async () => {
    const p = await page(admin.client, 'limit=5');
    expect(p.count_estimate).toBe(50);
    expect(p.count).toBeUndefined();
    expect((await page(admin.client, 'limit=5&count=exact')).count).toBe(50);
    // Searches count in the same pass on the first page, and separately on later pages.
    const first = await page(admin.client, 'q=node-&limit=5&count=exact');
    expect([first.count_estimate, first.count]).toEqual([50, 50]);
    const second = await page(admin.client, `q=node-&limit=5&cursor=${first.next_cursor}`);
    expect(second.count_estimate).toBe(50);
    expect((await page(admin.client, 'q=node-0&limit=100')).count_estimate).toBe(20);
  });

  it('searches names, descriptions, users and IP prefixes', async () => {
    expect((await page(admin.client, 'q=node-03')).devices.map((d) => d.hostname).sort()).toEqual(['node-03-x', 'node-03-y']);
    expect((await page(admin.client, 'q=BASEMENT')).devices).toHaveLength(1);
    expect((await page(admin.client, 'q=marit')).devices).toHaveLength(1);
    expect((await page(admin.client, 'q=10.1.42.')).devices.map((d) => d.internal_ip)).toEqual(['10.1.42.5']);
    expect((await page(admin.client, 'q=100%25')).devices).toHaveLength(0);
  });

  it('filters by site, status, presence and unassigned', async () => {
    expect((await page(admin.client, `site_id=${siteB}&limit=100`)).devices).toHaveLength(15);
    expect((await page(admin.client, 'site_id=none&limit=100')).devices).toHaveLength(5);
    expect((await page(admin.client, 'online=true&limit=100')).devices.every((d) => d.presence === 'online')).toBe(true);
    expect((await page(admin.client, 'online=true&limit=100')).devices).toHaveLength(25);
    expect((await page(admin.client, 'status=quarantined')).devices).toHaveLength(0);
  });

  it('hides retired devices unless asked', async () => {
    expect((await page(admin.client, 'q=old-retired')).devices).toHaveLength(0);
    expect((await page(admin.client, 'q=old-retired&include_retired=true')).devices).toHaveLength(1);
    expect((await page(admin.client, 'status=decommissioned')).devices.map((d) => d.hostname)).toEqual(['old-retired']);
  });

  it('shows a site-scoped operator only the devices of their sites, and 404 for others', async () => {
    const all = await walk(operator, 'sort=-last_seen', 4);
    expect(all).toHaveLength(15);
    expect(all.every((d) => d.site_id === siteB)).toBe(true);
    expect((await page(operator, `site_id=${siteA}`)).devices).toHaveLength(0);
    // Searches start from the caller's sites: names, users and IPs elsewhere stay invisible.
    const found = await page(operator, 'q=node-&limit=100');
    expect([found.devices.length, found.count_estimate]).toEqual([15, 15]);
    expect((await page(operator, 'q=marit')).devices).toHaveLength(0);
    expect((await page(operator, 'q=10.1.3')).devices.every((d) => d.site_id === siteB)).toBe(true);
    expect((await operator.get('/api/devices/search?q=node-')).json().devices.every((d: Item) => d.site_id === siteB)).toBe(true);
    expect((await page(operator, 'limit=1')).count_estimate).toBe(15);
    const outside = (await page(admin.client, `site_id=${siteA}&limit=1`)).devices[0]!;
    const res = await operator.get(`/api/devices/${outside.guid}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    expect((await operator.get(`/api/device/details/${outside.hostname}`)).json()).toEqual({});
    const inside = all[0]!;
    expect((await operator.get(`/api/devices/${inside.guid.toLowerCase()}`)).json()).toMatchObject({ guid: inside.guid, site_id: siteB });
  });

  it('refuses a bad sort, a bad limit and a foreign cursor with 422 envelopes', async () => {
    for (const query of ['sort=password', 'limit=0', 'limit=501', 'status=gone', 'cursor=%%%']) {
      const res = await admin.client.get(`/api/devices?${query}`);
      expect(res.statusCode, query).toBe(422);
      expect(res.json().error.code).toBe('validation_failed');
    }
    const hostnameCursor = (await page(admin.client, 'limit=2')).next_cursor!;
    const res = await admin.client.get(`/api/devices?sort=-last_seen&cursor=${hostnameCursor}`);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details[0].path).toBe('cursor');
  });

  it('answers search with the upstream shape and needs 3 characters', async () => {
    const res = await admin.client.get('/api/devices/search?q=node-1');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.query).toBe('node-1');
    expect(body.count).toBe(body.devices.length);
    expect(body.devices[0]).toMatchObject({ connection_type: 'agent' });
    expect(body.devices[0]).toHaveProperty('site_description');
    expect((await admin.client.get('/api/devices/search?q=no')).statusCode).toBe(422);
  });

  it('lists online agents keyed by agent_id within scope', async () => {
    const res = await operator.get('/api/agents');
    expect(res.statusCode).toBe(200);
    const agents = Object.values(res.json() as Record<string, { status: string; site_id: number }>);
    expect(agents.length).toBeGreaterThan(0);
    expect(agents.every((a) => a.status === 'online' && a.site_id === siteB)).toBe(true);
  });
});
