// The device pages in real Chromium against a real engine: the empty state, then 240 seeded devices
// paged in while the list scrolls, sorted by the name header, narrowed by the search box; one
// device's tabs with its seeded inventory; filters with a live preview count, conflicts and actions.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestEngine, type TestEngine } from '@borealis/engine/testing';
import { launchBrowser, openSignedInPage } from './browser';
import { bootstrapOverHttp } from './operator';

const SHOTS = 'test-results';
const FLEET = 240;
const WEB = { guid: randomUUID().toUpperCase(), name: 'web-01' } as const;
const SEEDED_AT = new Date('2026-11-25T08:00:00Z');

type Cookie = { name: string; value: string };

const fleetName = (n: number) => `node-${String(n).padStart(3, '0')}`;

describe('device pages in Chromium', () => {
  let t: TestEngine;
  let browser: Browser;
  let page: Page;
  let cookies: readonly Cookie[] = [];
  let siteId = 0;
  const problems: string[] = [];

  const shot = async (name: string) => {
    await page.waitForFunction(() =>
      document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
    );
    await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  };
  const api = async (method: string, path: string, body?: unknown) => {
    const csrf = decodeURIComponent(cookies.find((c) => c.name === 'borealis_csrf')?.value ?? '');
    const response = await fetch(`${t.url}${path}`, {
      method,
      headers: {
        cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; '),
        'x-csrf-token': csrf,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as unknown;
  };
  const rowNames = () => page.locator('[data-testid="device-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-hostname')));
  const firstRowName = async () => (await rowNames())[0];

  /** Rows as an agent's enrolment, heartbeats and inventory uploads would leave them. */
  async function seed(): Promise<void> {
    const db = t.engine.ctx.db;
    const devices = [
      ...Array.from({ length: FLEET }, (_, i) => ({ guid: randomUUID(), name: fleetName(i + 1), os: i % 2 === 0 ? 'Ubuntu 24.04.1 LTS' : 'Debian GNU/Linux 12 (bookworm)' })),
      { guid: WEB.guid.toLowerCase(), name: WEB.name, os: 'Ubuntu 24.04.1 LTS' },
    ];
    await db
      .insertInto('devices')
      .values(
        devices.map((d, i) => ({
          guid: d.guid,
          display_name: d.name,
          hostname: d.name,
          description: d.name === WEB.name ? 'Public web front end' : null,
          site_id: d.name === WEB.name || i % 3 === 0 ? siteId : null,
          ssl_key_fingerprint: randomBytes(32).toString('hex'),
          agent_id: `${d.name.toUpperCase()}_${d.guid.slice(0, 8)}_SYSTEM`,
          platform: 'linux' as const,
          arch: 'x64' as const,
          agent_version: '0.1.0',
          operating_system: d.os,
          kernel: '6.8.0-45-generic',
          cpu_model: 'AMD EPYC 7763',
          logical_cores: 8,
          total_ram_bytes: String(16 * 1024 ** 3),
          enrolled_at: SEEDED_AT,
          last_enrollment_at: SEEDED_AT,
          created_at: SEEDED_AT,
          updated_at: SEEDED_AT,
        })),
      )
      .execute();
    await db
      .insertInto('device_heartbeat_state')
      .values(
        devices.map((d, i) => ({
          device_guid: d.guid,
          last_seen_at: new Date(Date.now() - (i + 1) * 60_000),
          presence_node_id: d.name === WEB.name || i % 4 === 0 ? 'api-e2e' : null,
          uptime_seconds: String(3 * 86_400 + 4 * 3_600),
          agent_version: '0.1.0',
          cpu_percent: (i * 7) % 100,
          memory_percent: (i * 13) % 100,
          disks: JSON.stringify([{ drive: '/', usage: 41 }]),
          last_user: 'ops',
          logged_in_users: ['ops'],
          internal_ip: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
          written_at: SEEDED_AT,
        })),
      )
      .execute();

    const web = WEB.guid.toLowerCase();
    const sections: Record<string, unknown> = {
      summary: { hostname: WEB.name, operating_system: 'Ubuntu 24.04.1 LTS', os: { id: 'ubuntu', version_id: '24.04', kernel: '6.8.0-45-generic', arch: 'x86_64' }, timezone: 'Europe/Oslo' },
      cpu: { name: 'AMD EPYC 7763 64-Core Processor', vendor: 'AuthenticAMD', sockets: 1, physical_cores: 4, logical_cores: 8, base_clock_ghz: 2.45, arch: 'x86_64' },
      memory: { total_bytes: 16 * 1024 ** 3, swap_total_bytes: 2 * 1024 ** 3, modules: [] },
      storage: [
        { drive: '/', device: '/dev/nvme0n1p2', fs_type: 'ext4', disk_type: 'ssd', total: 500 * 1024 ** 3, used: 205 * 1024 ** 3, free: 295 * 1024 ** 3, usage: 41 },
        { drive: '/var/lib/docker', device: '/dev/nvme1n1', fs_type: 'xfs', disk_type: 'ssd', total: 1024 ** 4, used: 800 * 1024 ** 3, free: 224 * 1024 ** 3, usage: 78 },
      ],
      network: [{ adapter: 'eth0', mac: '52:54:00:12:34:56', ips: ['10.0.0.5/24'], link_speed: 10_000, mtu: 1500, state: 'up', default_route: true }],
      services: [
        { name: 'nginx.service', description: 'A high performance web server', active_state: 'active', sub_state: 'running', unit_file_state: 'enabled', status: 'running', start_mode: 'auto' },
        { name: 'cron.service', description: 'Regular background program processing daemon', active_state: 'active', sub_state: 'running', unit_file_state: 'enabled', status: 'running', start_mode: 'auto' },
        { name: 'postfix.service', description: 'Postfix Mail Transport Agent', active_state: 'failed', sub_state: 'failed', unit_file_state: 'enabled', status: 'failed', start_mode: 'auto' },
      ],
      processes: { processes: [{ name: 'nginx', count: 5, cpu_percent: 12, memory_bytes: 80 * 1024 ** 2 }, { name: 'node', count: 1, cpu_percent: 31, memory_bytes: 512 * 1024 ** 2 }] },
    };
    await db
      .insertInto('device_inventory')
      .values(
        Object.entries(sections).map(([section, data]) => {
          const json = JSON.stringify(data);
          return { device_guid: web, section, data: json, hash: createHash('sha256').update(json).digest(), size_bytes: json.length, collected_at: SEEDED_AT, updated_at: SEEDED_AT };
        }),
      )
      .execute();
    const software = [
      { name: 'nginx', version: '1.24.0-2ubuntu7' },
      { name: 'openssl', version: '3.0.13-0ubuntu3.4' },
      { name: 'libssl3t64', version: '3.0.13-0ubuntu3.4' },
      { name: 'curl', version: '8.5.0-2ubuntu10.4' },
    ];
    for (const item of software) {
      const title = await db
        .insertInto('software_titles')
        .values({ name: item.name, name_lower: item.name.toLowerCase() })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db.insertInto('device_software_inventory').values({ device_guid: web, title_id: title.id, version: item.version, source: 'dpkg', architecture: 'amd64' }).execute();
    }
    await db
      .insertInto('device_metadata_fields')
      .values({ device_guid: web, field_number: 42, value: 'Team Aurora', modified_at: SEEDED_AT, source: 'engine', actor: 'ada', created_at: SEEDED_AT, updated_at: SEEDED_AT })
      .execute();
  }

  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite', listen: true });
    const admin = await bootstrapOverHttp(t.url!, t.home);
    cookies = admin.cookies;
    const site = (await api('POST', '/api/sites', { name: 'Oslo office' })) as { id: number };
    siteId = site.id;
    browser = await launchBrowser();
    page = await openSignedInPage(browser, t.url!, admin.cookies, { problems });
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(msg.text());
    });
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('explains how to enrol a device while none exists', async () => {
    await page.goto(`${t.url}/devices`);
    await page.getByTestId('devices-empty').waitFor();
    expect(await page.getByTestId('devices-empty').textContent()).toContain('enrolment code');
    expect(await page.getByTestId('devices-empty-sites').getAttribute('href')).toBe('/sites');
    expect(await page.getByTestId('devices-empty-approvals').getAttribute('href')).toBe('/approvals');
    await shot('devices-empty');
  });

  it('lists the first page, renders only the rows in view, and pages in the rest while scrolling', async () => {
    await seed();
    await page.goto(`${t.url}/devices`);
    await page.locator('[data-testid="device-row"]').first().waitFor();
    expect(await firstRowName()).toBe('node-001');
    await expect.poll(() => page.getByTestId('devices-live').getAttribute('data-status')).toBe('connected');
    // Virtualised: a 900 px window draws a screenful plus overscan, not the 100 rows of the first page.
    const drawn = await page.locator('[data-testid="device-row"]').count();
    expect(drawn).toBeGreaterThan(5);
    expect(drawn).toBeLessThan(60);
    expect(await page.getByTestId('devices-count').textContent()).toContain(`100 of ${FLEET + 1} devices`);
    await shot('devices-list');

    const scroller = page.getByTestId('devices-scroller');
    const last = page.locator(`[data-testid="device-row"][data-hostname="${WEB.name}"]`);
    for (let i = 0; i < 40 && (await last.count()) === 0; i += 1) {
      await scroller.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
      await page.waitForTimeout(150);
    }
    await last.waitFor();
    expect(await page.getByTestId('devices-count').textContent()).toContain(`${FLEET + 1} of ${FLEET + 1}`);
    const row = page.locator('[data-testid="device-row"][data-hostname="node-240"]');
    expect(await row.getByTestId('device-os').textContent()).toBe('Debian GNU/Linux 12 (bookworm)');
    await shot('devices-list-scrolled');
  });

  it('sorts by name when the header is clicked, and flips on the second click', async () => {
    await page.goto(`${t.url}/devices`);
    await page.locator('[data-testid="device-row"]').first().waitFor();
    await page.getByTestId('devices-sort-hostname').click();
    await expect.poll(firstRowName).toBe(WEB.name);
    expect(page.url()).toContain('sort=-hostname');
    expect(await page.getByTestId('devices-sort-hostname').getAttribute('data-direction')).toBe('desc');
    expect((await rowNames()).slice(0, 3)).toEqual([WEB.name, 'node-240', 'node-239']);
    await page.getByTestId('devices-sort-hostname').click();
    await expect.poll(firstRowName).toBe('node-001');
    expect((await rowNames()).slice(0, 3)).toEqual(['node-001', 'node-002', 'node-003']);
  });

  it('narrows the list with the search box, on the server', async () => {
    await page.getByTestId('devices-search').fill('node-13');
    await expect.poll(async () => (await rowNames()).length).toBe(10);
    expect(await rowNames()).toEqual(Array.from({ length: 10 }, (_, i) => `node-13${i}`));
    expect(page.url()).toContain('q=node-13');
    await shot('devices-search');
    await page.getByTestId('devices-clear').click();
    await expect.poll(async () => (await rowNames()).length).toBeGreaterThan(10);
  });

  it('shows the empty state with the way to enrol when nothing matches a search', async () => {
    await page.getByTestId('devices-search').fill('no-such-machine');
    await page.getByTestId('devices-empty-filtered').waitFor();
    await page.getByTestId('devices-clear').click();
    await page.locator('[data-testid="device-row"]').first().waitFor();
  });

  it("shows one device's seeded inventory on its tabs", async () => {
    await page.getByTestId('devices-search').fill('web-01');
    await expect.poll(firstRowName).toBe(WEB.name);
    await page.locator(`[data-testid="device-row"][data-hostname="${WEB.name}"]`).getByTestId('device-name').click();
    await page.getByTestId('device-page').waitFor();
    expect(page.url()).toContain(`/devices/${WEB.guid}`);
    expect(await page.getByTestId('device-title').textContent()).toBe(WEB.name);
    expect(await page.getByTestId('device-description').textContent()).toBe('Public web front end');
    expect(await page.getByTestId('device-fact-kernel').textContent()).toBe('6.8.0-45-generic');
    expect(await page.getByTestId('device-fact-uptime').textContent()).toBe('3 d 4 h');
    expect(await page.getByTestId('device-presence').first().getAttribute('data-presence')).toBe('online');
    await shot('device-overview');

    await page.getByTestId('device-tab-hardware').click();
    await page.getByTestId('hardware-cpu-name').waitFor();
    expect(await page.getByTestId('hardware-cpu-name').textContent()).toBe('AMD EPYC 7763 64-Core Processor');
    expect(await page.getByTestId('hardware-memory-total').textContent()).toBe('16 GiB');
    expect(await page.locator('[data-testid="storage-row"]').count()).toBe(2);
    expect(await page.locator('[data-testid="network-row"]').textContent()).toContain('10.0.0.5/24');
    await shot('device-hardware');

    await page.getByTestId('device-tab-software').click();
    await page.getByTestId('device-software-table').waitFor();
    expect(await page.getByTestId('device-software-count').textContent()).toBe('4 packages');
    await page.getByTestId('device-software-search').fill('ssl');
    await expect.poll(() => page.locator('[data-testid="device-software-row"]').count()).toBe(2);
    await shot('device-software');

    await page.getByTestId('device-tab-services').click();
    await page.getByTestId('device-services-table').waitFor();
    expect(await page.locator('[data-testid="device-services-row"]').count()).toBe(3);
    await page.getByTestId('device-tab-processes').click();
    await page.getByTestId('device-processes-table').waitFor();
    // Busiest first.
    expect(await page.locator('[data-testid="device-processes-row"]').first().textContent()).toContain('node');

    await page.getByTestId('device-tab-metadata').click();
    await page.getByTestId('device-metadata-table').waitFor();
    expect(await page.locator('[data-testid="metadata-row"][data-field="42"]').getByTestId('metadata-value').textContent()).toBe('Team Aurora');
    await shot('device-metadata');
  });

  it('edits the description and a metadata value in place', async () => {
    await page.getByTestId('device-description-edit').click();
    await page.getByTestId('device-description-input').fill('Public web front end, rack 4');
    await page.getByTestId('device-description-save').click();
    await expect.poll(() => page.getByTestId('device-description').textContent()).toBe('Public web front end, rack 4');

    await page.locator('[data-testid="metadata-row"][data-field="42"]').getByTestId('metadata-edit').click();
    await page.getByTestId('metadata-label-input').fill('Owner team');
    await page.getByTestId('metadata-value-input').fill('Team Borealis');
    await page.getByTestId('metadata-save').click();
    const field = page.locator('[data-testid="metadata-row"][data-field="42"]');
    await expect.poll(() => field.getByTestId('metadata-value').textContent()).toBe('Team Borealis');
    expect(await field.textContent()).toContain('Owner team');
  });

  it('previews how many devices a new filter matches, and saves it', async () => {
    await page.goto(`${t.url}/filters`);
    await page.getByTestId('filters-empty').waitFor();
    await shot('filters-empty');
    await page.getByTestId('filters-create').click();
    await page.getByTestId('filter-editor').waitFor();
    await page.getByTestId('filter-name-input').fill('Fleet nodes 1xx');
    await page.getByTestId('criteria-add-group').click();
    await page.getByTestId('criteria-value').fill('node-1');
    // node-100 … node-199.
    await expect.poll(() => page.getByTestId('filter-preview-count').textContent(), { timeout: 10_000 }).toBe('100');
    expect(await page.locator('[data-testid="filter-preview-row"]').first().textContent()).toContain('node-100');
    await shot('filter-editor');

    await page.getByTestId('filter-save').click();
    await page.waitForURL(/\/filters\/\d+$/);
    await page.goto(`${t.url}/filters`);
    const row = page.locator('[data-testid="filter-row"][data-filter-name="Fleet nodes 1xx"]');
    await row.waitFor();
    await shot('filters-list');

    // The saved filter narrows the devices list to the same hundred.
    const filters = (await api('GET', '/api/device_filters')) as { filters: { id: number; name: string }[] };
    const saved = filters.filters.find((f) => f.name === 'Fleet nodes 1xx');
    await page.goto(`${t.url}/devices?filter_id=${saved?.id}`);
    await page.locator('[data-testid="device-row"]').first().waitFor();
    expect(await page.getByTestId('devices-count').textContent()).toContain('100 of 100');
  });

  it('explains a version conflict when someone saved the filter meanwhile, and loads their version', async () => {
    const filters = (await api('GET', '/api/device_filters')) as { filters: { id: number; name: string; version: number; criteria: unknown }[] };
    const saved = filters.filters.find((f) => f.name === 'Fleet nodes 1xx')!;
    await page.goto(`${t.url}/filters/${saved.id}`);
    await page.getByTestId('filter-editor').waitFor();
    await page.getByTestId('filter-name-input').fill('Fleet nodes 1xx (mine)');
    // Another operator saves first.
    const csrf = decodeURIComponent(cookies.find((c) => c.name === 'borealis_csrf')?.value ?? '');
    const theirs = await fetch(`${t.url}/api/device_filters/${saved.id}`, {
      method: 'PUT',
      headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; '), 'x-csrf-token': csrf, 'content-type': 'application/json', 'if-match': String(saved.version) },
      body: JSON.stringify({ name: 'Fleet nodes 1xx (theirs)', criteria: saved.criteria }),
    });
    expect(theirs.status).toBe(200);

    await page.getByTestId('filter-save').click();
    await page.getByTestId('filter-conflict').waitFor();
    await shot('filter-conflict');
    await page.getByTestId('filter-conflict-reload').click();
    await expect.poll(() => page.getByTestId('filter-name-input').inputValue()).toBe('Fleet nodes 1xx (theirs)');
    expect(await page.getByTestId('filter-conflict').count()).toBe(0);
  });

  it('archives a filter, finds it under Archived, and unarchives it', async () => {
    await page.goto(`${t.url}/filters`);
    const row = page.locator('[data-testid="filter-row"][data-filter-name="Fleet nodes 1xx (theirs)"]');
    await row.getByTestId('filter-actions').click();
    await page.getByTestId('filter-archive').click();
    await page.getByTestId('filters-notice').waitFor();
    await row.waitFor({ state: 'detached' });
    await page.getByTestId('filters-archived-toggle').getByText('Archived').click();
    await row.waitFor();
    await row.getByTestId('filter-actions').click();
    await page.getByTestId('filter-unarchive').click();
    await row.waitFor({ state: 'detached' });
  });

  it('offers Run script… in the row menu of an active device and opens the launcher for it', async () => {
    await page.goto(`${t.url}/devices?q=node-001`);
    const row = page.locator('[data-testid="device-row"][data-hostname="node-001"]');
    await row.getByTestId('device-actions').click();
    await page.getByTestId('device-action-run-script').click();
    await page.getByRole('dialog', { name: 'Run a script on node-001' }).waitFor();
    await page.getByTestId('launcher-assembly').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('launcher-assembly').waitFor({ state: 'hidden' });
  });

  it('quarantines a device from its row menu, and revokes another only after its name is typed', async () => {
    await page.goto(`${t.url}/devices?q=node-00`);
    const quarantined = page.locator('[data-testid="device-row"][data-hostname="node-002"]');
    await quarantined.getByTestId('device-actions').click();
    await page.getByTestId('device-action-quarantine').click();
    await page.getByTestId('device-action-reason').fill('suspicious outbound traffic');
    await page.getByTestId('device-action-submit').click();
    await expect.poll(() => page.getByTestId('devices-notice').textContent()).toContain('node-002 is quarantined');
    await expect.poll(() => quarantined.getByTestId('device-status-badge').getAttribute('data-status')).toBe('quarantined');

    const revoked = page.locator('[data-testid="device-row"][data-hostname="node-003"]');
    await revoked.getByTestId('device-actions').click();
    await page.getByTestId('device-action-revoke').click();
    expect(await page.getByTestId('device-action-submit').isDisabled()).toBe(true);
    await page.getByTestId('device-action-confirm-input').fill('node-00');
    expect(await page.getByTestId('device-action-submit').isDisabled()).toBe(true);
    await page.getByTestId('device-action-confirm-input').fill('node-003');
    await shot('device-revoke-dialog');
    await page.getByTestId('device-action-submit').click();
    await expect.poll(() => page.getByTestId('devices-notice').textContent()).toContain('node-003 was revoked');
    await expect.poll(() => revoked.getByTestId('device-status-badge').getAttribute('data-status')).toBe('revoked');
    await shot('devices-after-actions');

    // Retired devices leave the list (their history stays); purged ones are gone for good.
    for (const [action, name] of [['retire', 'node-004'], ['purge', 'node-005']] as const) {
      const row = page.locator(`[data-testid="device-row"][data-hostname="${name}"]`);
      await row.getByTestId('device-actions').click();
      await page.getByTestId(`device-action-${action}`).click();
      await page.getByTestId('device-action-confirm-input').fill(name);
      await page.getByTestId('device-action-submit').click();
      await page.getByTestId('device-action-dialog').waitFor({ state: 'hidden' });
      await row.waitFor({ state: 'detached' });
    }
    expect(await page.getByTestId('devices-notice').textContent()).toContain('node-005 was purged');
  });

  it('reports no page errors', () => {
    expect(problems).toEqual([]);
  });
});
