// Device list cost (data-model.md §4, DM17): 10,000 then 50,000 devices in 200 sites with heartbeat
// rows, metadata and software, seeded in set-based INSERTs; first page, search and mixed list
// queries (sorts, status, saved filter, cursors) through the real HTTP stack as an admin and as a
// site-scoped operator, while a heartbeat flush runs; p50/p99 per kind and the scoped plan's shape.
// At the largest size the WebUI's device list is opened in Chromium: first rows, scrolling, long tasks.

import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import { makeHome, startTestEngine } from '../test/engine-harness';
import { setUpEngine, signInAs } from '../test/factories';
import type { OperatorClient } from '../test/operator-client';
import type { Figure, ScenarioContext } from './run';

const SITES = 200;
/** `BENCH_LIST_SIZES=1000,5000` for a quick look; the targets are read at 50,000. */
const SIZES: readonly number[] = process.env.BENCH_LIST_SIZES ? process.env.BENCH_LIST_SIZES.split(',').map(Number) : [10_000, 50_000];
const FIRST_PAGE_RUNS = 100;
const SEARCH_RUNS = 100;
const MIXED_RUNS = 250;
const SCOPED_SITES = 5;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** A deterministic pseudo-random sequence, so two runs ask the same questions. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export async function seedSites(db: Kysely<Database>): Promise<void> {
  await sql`INSERT INTO sites (name, description, enrollment_code_hash, enrollment_code_rotated_at, created_at, updated_at)
    SELECT 'Site ' || lpad(g::text, 3, '0'), 'Client ' || g, sha256(convert_to('bench-site-' || g, 'UTF8')), now(), now(), now()
      FROM generate_series(1, ${sql.lit(SITES)}) AS g`.execute(db);
  await sql`INSERT INTO software_titles (name, name_lower)
    SELECT n, lower(n) FROM unnest(ARRAY['openssl','openssh-server','nginx','postgresql-16','curl','bash','systemd','python3','docker-ce','chrony',
      'rsyslog','sudo','vim','git','htop','tmux','zsh','apache2','mariadb-server','redis-server']) AS n`.execute(db);
}

/** Devices `from`..`to` (1-based), their heartbeat rows, a metadata value on every 10th and 3 packages each. */
export async function seedDevices(db: Kysely<Database>, from: number, to: number): Promise<void> {
  const roles = sql`(ARRAY['web','db','app','cache','mail','file','print','build'])[1 + g % 8]`;
  await sql`INSERT INTO devices (guid, display_name, hostname, description, site_id, status, ssl_key_fingerprint, agent_id, platform, arch,
      agent_version, operating_system, os_id, os_version, device_type, total_ram_bytes, storage_free_percent, cpu_model, logical_cores,
      enrolled_at, last_enrollment_at, created_at, updated_at)
    SELECT md5('bench-device-' || g)::uuid, ${roles} || '-' || lpad(g::text, 6, '0'), ${roles} || '-' || lpad(g::text, 6, '0'),
      CASE WHEN g % 7 = 0 THEN 'Rack ' || (g % 40) || ' in building ' || (g % 5) END,
      (SELECT min(id) FROM sites) + (g % ${sql.lit(SITES)}) + CASE WHEN g % 97 = 0 THEN NULL ELSE 0 END,
      CASE WHEN g % 50 = 0 THEN 'quarantined' WHEN g % 211 = 0 THEN 'decommissioned' ELSE 'active' END,
      md5('fp-' || g) || md5('fp2-' || g), upper(${roles}) || '-' || g || '_SYSTEM', 'linux', 'x64', '0.1.' || (g % 5),
      (ARRAY['Ubuntu 24.04 LTS','Debian GNU/Linux 12','Rocky Linux 9.4','Ubuntu 22.04 LTS'])[1 + g % 4], 'ubuntu', '24.04',
      (ARRAY['Server','Workstation','Virtual Machine'])[1 + g % 3], (4 + g % 8) * 1073741824::bigint, (g % 100)::real, 'AMD EPYC 7763', 2 + g % 30,
      now() - make_interval(days => g % 400), now() - make_interval(days => g % 400), now(), now()
    FROM generate_series(${sql.lit(from)}, ${sql.lit(to)}) AS g`.execute(db);
  await sql`INSERT INTO device_heartbeat_state (device_guid, last_seen_at, presence_node_id, presence_changed_at, cpu_percent, memory_percent,
      storage_max_usage_percent, last_user, logged_in_users, internal_ip, agent_version, written_at)
    SELECT md5('bench-device-' || g)::uuid, now() - make_interval(secs => g % 3600), CASE WHEN g % 10 < 7 THEN 'api-bench' END, now(),
      (g % 100)::real, (g % 90)::real, (g % 95)::real, 'user' || (g % 3000), ARRAY['user' || (g % 3000)],
      ('10.' || (g / 65536) % 256 || '.' || (g / 256) % 256 || '.' || g % 256)::inet, '0.1.' || (g % 5), now()
    FROM generate_series(${sql.lit(from)}, ${sql.lit(to)}) AS g`.execute(db);
  await sql`INSERT INTO device_metadata_fields (device_guid, field_number, value, modified_at, source, actor, created_at, updated_at)
    SELECT md5('bench-device-' || g)::uuid, 42, 'Contract ' || (g % 30), now(), 'engine', 'bench', now(), now()
    FROM generate_series(${sql.lit(from)}, ${sql.lit(to)}) AS g WHERE g % 10 = 0`.execute(db);
  await sql`INSERT INTO device_software_inventory (device_guid, title_id, version, architecture, source)
    SELECT md5('bench-device-' || g)::uuid, t.id, '1.' || (g % 9) || '.' || k, 'amd64', 'dpkg'
    FROM generate_series(${sql.lit(from)}, ${sql.lit(to)}) AS g
    CROSS JOIN generate_series(0, 2) AS k
    JOIN software_titles t ON t.id = (SELECT min(id) FROM software_titles) + (g + k * 7) % 20`.execute(db);
  await sql`ANALYZE`.execute(db);
}

/** What DM17's fixture runs alongside: the heartbeat flush, one UPDATE of 5,000 rows per second. */
function startHeartbeatFlush(db: Kysely<Database>, size: () => number): () => Promise<void> {
  let running = true;
  const rand = lcg(7);
  const loop = (async () => {
    while (running) {
      const start = 1 + Math.floor(rand() * Math.max(1, size() - 5000));
      await sql`UPDATE device_heartbeat_state AS s SET last_seen_at = greatest(s.last_seen_at, now()), cpu_percent = random() * 100, written_at = now()
        FROM (SELECT md5('bench-device-' || g)::uuid AS device_guid FROM generate_series(${sql.lit(start)}, ${sql.lit(start + 4999)}) AS g) AS v
        WHERE s.device_guid = v.device_guid`.execute(db);
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

/** Signs in a fresh session every 400 requests: the operator API allows 600 per minute per session. */
class Sessions {
  private used = 0;
  private client: OperatorClient | undefined;
  constructor(private readonly signIn: () => Promise<OperatorClient>) {}
  async next(): Promise<OperatorClient> {
    if (!this.client || this.used >= 400) {
      this.client = await this.signIn();
      this.used = 0;
    }
    this.used += 1;
    return this.client;
  }
}

async function timed(sessions: Sessions, url: string): Promise<{ ms: number; body: { next_cursor?: string | null } }> {
  const client = await sessions.next();
  const started = performance.now();
  const res = await client.get(url);
  const ms = performance.now() - started;
  if (process.env.BENCH_SLOW && ms > Number(process.env.BENCH_SLOW)) process.stderr.write(`slow ${Math.round(ms)} ms ${url}\n`);
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return { ms, body: res.json() as { next_cursor?: string | null } };
}

async function measure(client: Sessions, urls: () => string, runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) times.push((await timed(client, urls())).ms);
  return times.sort((a, b) => a - b);
}

/** Mixed DM17 queries: random sort, status, saved filter or q, half of them one cursor deep. */
async function mixed(client: Sessions, filterId: number, runs: number, rand: () => number): Promise<number[]> {
  const sorts = ['hostname', '-hostname', 'last_seen', '-last_seen', 'site', 'status', 'os', '-enrolled_at'];
  const extras = ['', 'status=active', 'status=quarantined', `filter_id=${filterId}`, 'q=web-0', 'online=true', 'q=10.0.1'];
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const url = `/api/devices?limit=50&sort=${sorts[Math.floor(rand() * sorts.length)]}&${extras[Math.floor(rand() * extras.length)]}`;
    const first = await timed(client, url);
    times.push(first.ms);
    if (rand() < 0.5 && first.body.next_cursor) times.push((await timed(client, `${url}&cursor=${first.body.next_cursor}`)).ms);
  }
  return times.sort((a, b) => a - b);
}

export async function listScenario(ctx: ScenarioContext): Promise<Figure[]> {
  const home = makeHome();
  const t = await startTestEngine({ dialect: ctx.database, home, listen: true, env: { BOREALIS_LOG_LEVEL: 'warn' } });
  // The machine's 1-minute load when the run starts: on a shared 2-core host it explains the tails.
  const figures: Figure[] = [{ name: 'load_avg_1m', value: round(loadavg()[0] ?? 0), unit: 'runnable' }];
  try {
    const admin = await setUpEngine(t);
    const db = t.engine.ctx.db;
    await seedSites(db);
    const siteIds = (await db.selectFrom('sites').select('id').orderBy('id').limit(SCOPED_SITES).execute()).map((s) => ({ siteId: s.id }));
    const adminSessions = new Sessions(async () => (await signInAs(t, { role: 'admin' })).client);
    const operatorSessions = new Sessions(async () => (await signInAs(t, { role: 'operator', siteIds })).client);
    const filter = await admin.client.post('/api/device_filters', {
      name: 'Bench: web servers with openssl',
      criteria: { groups: [{ conditions: [{ field: 'hostname', operator: 'begins_with', value: 'web' }, { field: 'installed_software', operator: 'equals', value: 'openssl' }] }] },
    });
    if (filter.statusCode !== 201) throw new Error(`filter: ${filter.body}`);
    const filterId = (filter.json() as { id: number }).id;

    let seeded = 0;
    for (const size of SIZES) {
      const seedStart = performance.now();
      await seedDevices(db, seeded + 1, size);
      seeded = size;
      figures.push({ name: `seed_${size}`, value: round((performance.now() - seedStart) / 1000), unit: 's' });
      const stopFlush = startHeartbeatFlush(db, () => seeded);
      try {
        const rand = lcg(size);
        const terms = ['web-00', 'db-0123', 'rack 12', 'user17', '10.0.3.', 'mail-01', 'build', 'xyz-none'];
        const term = () => encodeURIComponent(terms[Math.floor(rand() * terms.length)]!);
        for (const [who, client] of [['admin', adminSessions], ['scoped', operatorSessions]] as const) {
          await measure(client, () => '/api/devices?limit=50', 5); // warm-up
          const first = await measure(client, () => '/api/devices?limit=50', FIRST_PAGE_RUNS);
          const search = await measure(client, () => `/api/devices?limit=50&q=${term()}`, SEARCH_RUNS);
          const mix = await mixed(client, filterId, MIXED_RUNS / 2, rand);
          figures.push(
            { name: `${size}_${who}_first_page_p50`, value: round(percentile(first, 50)), unit: 'ms' },
            { name: `${size}_${who}_first_page_p99`, value: round(percentile(first, 99)), unit: 'ms' },
            { name: `${size}_${who}_search_p50`, value: round(percentile(search, 50)), unit: 'ms' },
            { name: `${size}_${who}_search_p99`, value: round(percentile(search, 99)), unit: 'ms' },
            { name: `${size}_${who}_mixed_p99`, value: round(percentile(mix, 99)), unit: 'ms' },
          );
        }
        if (size === SIZES[SIZES.length - 1]) figures.push(...(await browserList(t.url!, admin.client, size)));
      } finally {
        await stopFlush();
      }
    }
    // DM17: the default scoped list walks an index, with no Sort node.
    const scope = siteIds.map((s) => s.siteId);
    // The first (key) query of a page, as device-repository.ts issues it for the default sort.
    const plan = await sql<{ 'QUERY PLAN': string }>`EXPLAIN SELECT d.guid, CAST(lower(d.display_name) AS text) AS c0 FROM devices d
      LEFT JOIN device_heartbeat_state h ON h.device_guid = d.guid LEFT JOIN sites s ON s.id = d.site_id
      WHERE d.site_id IN (${sql.join(scope)}) AND d.status <> 'decommissioned' ORDER BY lower(d.display_name) ASC LIMIT 51`.execute(db);
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    if (process.env.BENCH_EXPLAIN) process.stderr.write(`${text}\n`);
    figures.push({ name: 'scoped_plan_sort_nodes', value: (text.match(/\bSort\b/g) ?? []).length, unit: 'count' });
    return figures;
  } finally {
    await t.close();
    rmSync(home, { recursive: true, force: true });
  }
}

const BROWSER_PAGES = 5;

/**
 * The devices page in headless Chromium as the admin: time until the first rows show, time to scroll
 * through BROWSER_PAGES server pages (each fetched as the scroll nears the end), and the longest task
 * the page's main thread ran while loading and while scrolling (a task over 50 ms is a visible stall).
 */
async function browserList(url: string, admin: OperatorClient, size: number): Promise<Figure[]> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.BOREALIS_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addCookies([...admin.jar].map(([name, value]) => ({ name, value, url })));
    const page = await context.newPage();
    // A page script (the engine's tsconfig has no DOM types): the longest main-thread task seen.
    await page.addInitScript({
      content: `window.longestTaskMs = 0; new PerformanceObserver((list) => { for (const e of list.getEntries()) window.longestTaskMs = Math.max(window.longestTaskMs, e.duration); }).observe({ type: 'longtask', buffered: true });`,
    });
    const started = performance.now();
    await page.goto(`${url}/devices`);
    await page.locator('[data-testid="device-row"]').first().waitFor({ timeout: 60_000 });
    const firstRows = performance.now() - started;
    // Start-up (parsing the bundle, first render) is one long task by nature; scrolling is what must stay smooth.
    const longestAtLoad = Number(await page.evaluate('window.longestTaskMs'));
    await page.evaluate('window.longestTaskMs = 0');
    const scroller = page.getByTestId('devices-scroller');
    const rowsWanted = BROWSER_PAGES * 100;
    const scrollStart = performance.now();
    for (let i = 0; i < 200; i += 1) {
      const count = await page.getByTestId('devices-count').textContent();
      if (Number(/(\d[\d,]*) of/.exec(count ?? '')?.[1]?.replace(/,/g, '') ?? 0) >= rowsWanted) break;
      await scroller.evaluate((el: { scrollTop: number; scrollHeight: number }) => {
        el.scrollTop = el.scrollHeight;
      });
      await page.waitForTimeout(100);
    }
    const scrolled = performance.now() - scrollStart;
    const longest = Number(await page.evaluate('window.longestTaskMs'));
    return [
      { name: `${size}_browser_first_rows`, value: round(firstRows), unit: 'ms' },
      { name: `${size}_browser_scroll_${rowsWanted}_rows`, value: round(scrolled), unit: 'ms' },
      { name: `${size}_browser_longest_task_loading`, value: round(longestAtLoad), unit: 'ms' },
      { name: `${size}_browser_longest_task_scrolling`, value: round(longest), unit: 'ms' },
    ];
  } finally {
    await browser.close();
  }
}
