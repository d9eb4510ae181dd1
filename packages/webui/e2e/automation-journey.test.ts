// Automation with the real agent in real Chromium (issue 7 acceptance 1): the single-file agent,
// enrolled over the API into a TLS engine, runs the official "Linux - Disk Usage" assembly started
// from the device page and the live page shows Success, exit code 0 and the real df output; then an
// every-5-minutes schedule made in the editor comes due through the real scheduler (the test moves the
// engine's clock, not the scheduler) and two runs, five minutes apart, show in the job's history
// with the device's Success and output.

import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildAgentBundle } from '@borealis/agent/bundle';
import { freePort, spawnAgentProcess, until, type Spawned } from '@borealis/agent/testing/process';
import { makeAgentRoot, removeAgentRoots } from '@borealis/agent/testing/root';
import { makeHome, startTestEngine, type TestEngine } from '@borealis/engine/testing';
import { setUpEngine } from '@borealis/engine/testing/factories';
import { launchBrowser, openSignedInPage } from './browser';

const SHOTS = 'test-results';
/** Every wait is bounded; the agent's output is attached when one runs out. */
const AGENT_WAIT_MS = 30_000;
/** A df line of the assembly's table: a size column, a percentage and an absolute mount point. */
const DF_LINE = /\d+M\s+\d+%\s+\/\S*/;
const FIVE_MINUTES = 5 * 60_000;

describe('automation journey with the real agent in Chromium', () => {
  const children: ChildProcess[] = [];
  const problems: string[] = [];
  let work: string;
  let home: string;
  let t: TestEngine;
  let url: string;
  let agent: Spawned;
  let guid: string;
  let hostname: string;
  let browser: Browser;
  let page: Page;
  /** The engine's clock runs with real time; the test moves it ahead to bring the next occurrence due. */
  let ahead = 0;
  const clock = { now: () => new Date(Date.now() + ahead) };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'borealis-automation-e2e-'));
    home = makeHome();
    const port = await freePort();
    url = `https://127.0.0.1:${port}`;
    const [built, engine] = await Promise.all([
      buildAgentBundle({ outfile: join(work, 'borealis-agent.mjs') }),
      startTestEngine({ dialect: 'pglite', listen: true, home, clock, env: { BOREALIS_TLS: 'on', BOREALIS_PORT: String(port), BOREALIS_PUBLIC_URL: url } }),
    ]);
    const bundle = built.outfile;
    t = engine;
    const admin = await setUpEngine(t, { ip: '127.0.0.1' });

    // Enrolment over the operator API (the browser side of enrolment is issue 6's journey).
    const site = await admin.client.post('/api/sites', { name: 'Automation lab' });
    if (site.statusCode !== 201) throw new Error(`site: ${site.body}`);
    const code = (site.json() as { enrollment_code: string }).enrollment_code;
    const caPem = t.engine.ctx.agentTrust?.caPem;
    if (!caPem) throw new Error('the TLS test engine has no local CA');
    const caFile = join(work, 'engine-ca.pem');
    writeFileSync(caFile, caPem);
    const paths = makeAgentRoot();
    const enroll = spawnAgentProcess(bundle, paths.root, ['enroll', '--server-url', url, '--site-enrollment-code', code, '--engine-ca-pem', caFile], children);
    const approval = await until('a pending approval', async () => {
      const res = await admin.client.get('/api/admin/device-approvals?status=pending');
      return ((res.json() as { approvals?: Array<{ id: string; status: string }> }).approvals ?? []).find((r) => r.status === 'pending');
    }, AGENT_WAIT_MS, enroll.output);
    const approved = await admin.client.post(`/api/admin/device-approvals/${approval.id}/approve`, {});
    if (approved.statusCode !== 200) throw new Error(`approve: ${approved.body}`);
    if ((await enroll.exited) !== 0) throw new Error(`enrol failed:\n${enroll.output()}`);
    const agentGuid = (JSON.parse(readFileSync(paths.configFile, 'utf8')) as { agent: { guid: string } }).agent.guid;
    guid = agentGuid.toLowerCase();

    agent = spawnAgentProcess(bundle, paths.root, ['run'], children);
    await until('the agent on its socket', () => [...t.engine.ctx.realtime!.io.of('/agent').sockets.values()].find((s) => s.rooms.has(`device:${agentGuid}`)), AGENT_WAIT_MS, agent.output);
    hostname = await until('the device row', async () => (await t.engine.ctx.db.selectFrom('devices').select('hostname').where('guid', '=', guid).executeTakeFirst())?.hostname ?? undefined, AGENT_WAIT_MS, agent.output);

    browser = await launchBrowser();
    // The engine's certificate comes from its own local CA, which Chromium does not know.
    const cookies = [...admin.client.jar].map(([name, value]) => ({ name, value }));
    page = await openSignedInPage(browser, url, cookies, { problems }, { viewport: { width: 1440, height: 1000 }, timezoneId: 'UTC', ignoreHTTPSErrors: true });
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await t?.close();
    if (home) rmSync(home, { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
    removeAgentRoots();
  }, 60_000);

  /** Picks an assembly in a searchable select by typing part of its name, as an operator would. */
  const pickAssembly = async (testId: string, name: string) => {
    await page.getByTestId(testId).click();
    await page.getByTestId(testId).fill('Disk Usage');
    await page.getByRole('option', { name, exact: true }).click();
  };

  /** The scheduler's rows, the page's occurrence rows and the agent's last output, for a failed wait. */
  const schedulingState = async () => {
    const db = t.engine.ctx.db;
    const rows = async (table: 'scheduled_job_occurrences' | 'scheduled_job_runs' | 'job_scheduler_work_items' | 'job_scheduler_workers') => JSON.stringify(await db.selectFrom(table).selectAll().execute());
    const executions = await db.selectFrom('activity_history').select(['id', 'run_id', 'status', 'dispatched_at', 'accepted_at', 'started_at', 'finished_at', 'updated_at']).where('run_id', 'is not', null).execute();
    const lines = await Promise.all([
      `engine clock ${clock.now().toISOString()} (ahead ${ahead} ms)`,
      page.getByTestId('occurrence-row').allTextContents().then((texts) => `page rows: ${JSON.stringify(texts)}`),
      ...(['scheduled_job_occurrences', 'scheduled_job_runs', 'job_scheduler_work_items', 'job_scheduler_workers'] as const).map(async (table) => `${table}: ${await rows(table)}`),
      `scheduled executions: ${JSON.stringify(executions)}`,
      `agent output (tail): ${agent.output().slice(-4_000)}`,
    ]);
    return lines.join('\n');
  };

  /** An instant as the page renders it (the browser's locale, the context's UTC zone). */
  const shown = (at: Date) => page.evaluate((iso) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso)), at.toISOString());

  it('runs the disk-usage assembly on the device to Success, then every 5 minutes through the scheduler into the run history', async () => {
    // A quick job from the device page: the real agent runs the official assembly.
    await page.goto(`${url}/devices/${guid}`);
    await page.getByTestId('device-title').filter({ hasText: hostname }).waitFor({ timeout: 15_000 });
    await page.getByTestId('run-quick-job').click();
    await pickAssembly('launcher-assembly', 'Linux - Disk Usage');
    // 100 % never warns, so the run is Success whatever the test machine's disks hold.
    await page.getByTestId('launcher-var-WARN_PERCENT').fill('100');
    await page.getByTestId('launcher-run').click();
    await page.getByTestId('quick-job-page').waitFor({ timeout: 15_000 });
    const target = page.getByTestId(`target-${hostname}`);
    await target.getByTestId('quick-job-status').filter({ hasText: 'Success' }).waitFor({ timeout: AGENT_WAIT_MS });
    expect(await target.getByTestId('target-exit-code').textContent()).toBe('0');
    const output = page.getByTestId('quick-job-stdout');
    await output.filter({ hasText: 'OK: no filesystem above 100%' }).waitFor({ timeout: 15_000 });
    const text = (await output.textContent()) ?? '';
    expect(text).toContain('Filesystem');
    expect(text).toMatch(DF_LINE);
    await page.screenshot({ path: `${SHOTS}/automation-quick-job.png`, fullPage: true });

    // The same assembly every 5 minutes, made in the editor.
    await page.goto(`${url}/scheduled-jobs`);
    await page.getByTestId('scheduled-jobs-create').click();
    await page.getByTestId('scheduled-job-editor').waitFor();
    await page.getByTestId('editor-name').fill('Disk every 5 minutes');
    await pickAssembly('editor-assembly', 'Linux - Disk Usage');
    await page.getByTestId('editor-var-WARN_PERCENT').fill('100');
    await page.getByTestId('editor-devices').click();
    await page.getByRole('option', { name: hostname, exact: true }).click();
    await page.keyboard.press('Escape');
    await page.getByTestId('editor-schedule-type').click();
    await page.getByRole('option', { name: 'Every 5 minutes' }).click();
    await page.getByTestId('editor-timezone').fill('UTC');
    // Two minutes ahead, so no minute boundary passed while the form is filled can move the first occurrence.
    const start = new Date((Math.floor(clock.now().getTime() / 60_000) + 2) * 60_000);
    const occurrence = (i: number) => new Date(start.getTime() + i * FIVE_MINUTES);
    await page.getByTestId('editor-start').fill(start.toISOString().slice(0, 16));
    await until('the five-item preview', async () => ((await page.getByTestId('editor-preview-item').count()) === 5 ? true : undefined), 10_000);
    const preview = await page.getByTestId('editor-preview-item').allTextContents();
    expect(preview).toEqual([0, 1, 2, 3, 4].map((i) => `${occurrence(i).toISOString().slice(0, 19).replace('T', ' ')}+00:00`));
    await page.screenshot({ path: `${SHOTS}/automation-schedule-editor.png`, fullPage: true });
    await page.getByTestId('editor-save').click();
    await page.getByTestId('scheduled-job-history').waitFor({ timeout: 15_000 });
    await page.getByText(`next: ${await shown(occurrence(0))}`).waitFor({ timeout: 15_000 });
    await page.getByTestId('occurrences-empty').waitFor();

    /** The scheduler's own loop makes the occurrence and dispatches it; the agent's result lands in the history. */
    const expectRun = async (i: number) => {
      const row = page.getByTestId('occurrence-row').filter({ hasText: await shown(occurrence(i)) });
      // Up to one site-worker reconcile (30 s) before the site's worker starts, then dispatch and
      // the result; a loaded CI machine took over 45 s once.
      await row
        .getByTestId('status-badge')
        .filter({ hasText: 'Success' })
        .waitFor({ timeout: 90_000 })
        .catch(async (err: unknown) => {
          // This wait ran out once on CI and never here: say what the scheduler and the page held.
          throw new Error(`run ${i} did not show Success: ${String(err)}\n${await schedulingState()}`);
        });
      expect(await row.textContent()).toContain('schedule');
      await row.click();
      const run = page.getByTestId('device-run').filter({ hasText: hostname });
      await run.getByTestId('status-badge').filter({ hasText: 'Success' }).waitFor({ timeout: 15_000 });
      expect(await run.textContent()).toContain('Linux - Disk Usage — Success (exit 0)');
      const stdout = (await run.getByTestId('device-run-stdout').textContent({ timeout: 15_000 })) ?? '';
      expect(stdout).toContain('OK: no filesystem above 100%');
      expect(stdout).toMatch(DF_LINE);
      // The header moves on to the following occurrence.
      await page.getByText(`next: ${await shown(occurrence(i + 1))}`).waitFor({ timeout: 15_000 });
    };
    // The engine's clock reaches the start; the scheduler's next tick finds the occurrence due.
    ahead = Math.max(ahead, start.getTime() + 1_000 - Date.now());
    await expectRun(0);
    await page.screenshot({ path: `${SHOTS}/automation-schedule-history.png`, fullPage: true });

    // Five minutes later (on the engine's clock) the scheduler runs it again.
    ahead += FIVE_MINUTES;
    await expectRun(1);
    expect(await page.getByTestId('occurrence-row').count()).toBe(2);
    await page.screenshot({ path: `${SHOTS}/automation-schedule-second-run.png`, fullPage: true });

    expect(problems).toEqual([]);
    expect(agent.output()).not.toContain('"level":"error"');
  }, 300_000);
});
