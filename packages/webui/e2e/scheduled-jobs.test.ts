// Scheduled jobs in real Chromium against a real engine (role all: the scheduler loop runs in
// process) and a test agent on a real /agent socket (issue 7 acceptance 1, scheduling half): create
// an every-5-minutes job in the editor, see the preview of the next five occurrences in the chosen
// zone, and watch its first run reach Success with the agent's output in the run history.

import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestEngine, type TestEngine } from '@borealis/engine/testing';
import { TestAgent } from '@borealis/engine/testing/device-agent';
import { insertAssembly, JobAgent, until } from '@borealis/engine/testing/quick-jobs';
import { launchBrowser, openSignedInPage } from './browser';
import { bootstrapOverHttp } from './operator';

const SHOTS = 'test-results';

describe('scheduled jobs in Chromium', () => {
  let t: TestEngine;
  let browser: Browser;
  let page: Page;
  let runner: JobAgent;
  const problems: string[] = [];

  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite', listen: true });
    const admin = await bootstrapOverHttp(t.url!, t.home);
    await insertAssembly(t, { name: 'Disk usage check', script: 'df -h /\n', variables: [] });
    runner = await JobAgent.connect(t, await TestAgent.create(t, { hostname: 'web-01' }));
    browser = await launchBrowser();
    page = await openSignedInPage(browser, t.url!, admin.cookies, { problems }, { viewport: { width: 1440, height: 1000 }, timezoneId: 'UTC' });
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    runner?.close();
    await browser?.close();
    await t?.close();
  });

  it('schedules an assembly every 5 minutes with a zone preview and shows its run in the history', async () => {
    await page.goto(`${t.url}/scheduled-jobs`);
    await page.getByTestId('scheduled-jobs-empty').waitFor();
    await page.getByTestId('scheduled-jobs-create').click();
    await page.getByTestId('scheduled-job-editor').waitFor();
    await page.getByTestId('editor-name').fill('Disk every 5');
    await page.getByTestId('editor-assembly').click();
    await page.getByRole('option', { name: 'Disk usage check' }).click();
    await page.getByTestId('editor-all-devices').check();
    await page.getByTestId('editor-schedule-type').click();
    await page.getByRole('option', { name: 'Every 5 minutes' }).click();
    await page.getByTestId('editor-timezone').fill('Europe/Berlin');
    // This minute as Berlin wall time: the first occurrence is due at once.
    const berlin = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(new Date());
    await page.getByTestId('editor-start').fill(berlin.replace(' ', 'T'));
    await until(async () => (await page.getByTestId('editor-preview-item').count()) === 5, 10_000);
    const first = await page.getByTestId('editor-preview-item').first().textContent();
    expect(first).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:00\+0[12]:00$/);
    await page.screenshot({ path: `${SHOTS}/scheduled-job-editor.png`, fullPage: true });
    await page.getByTestId('editor-save').click();
    await page.getByTestId('scheduled-job-history').waitFor();

    await until(() => runner.runs.length === 1, 30_000);
    const { payload, isSignatureValid } = runner.runs[0]!;
    expect(isSignatureValid).toBe(true);
    await runner.result(payload.job_id, { stdout: '/dev/sda1 40G 12G 28G 30% /\n', stdout_total_bytes: 29 });

    const row = page.getByTestId('occurrence-row').first();
    await row.getByTestId('status-badge').filter({ hasText: 'Success' }).waitFor({ timeout: 20_000 });
    await row.click();
    await page.getByTestId('device-run-stdout').filter({ hasText: '/dev/sda1' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: `${SHOTS}/scheduled-job-history.png`, fullPage: true });

    await page.goto(`${t.url}/scheduled-jobs`);
    await page.getByTestId('scheduled-jobs-table').getByText('Disk every 5').waitFor();
    expect(problems).toEqual([]);
  });

  it('targets a saved filter picked in the editor; the run reaches the device the filter matches', async () => {
    const now = new Date();
    await t.engine.ctx.db
      .insertInto('device_filters')
      .values({ name: 'Web servers', site_mode: 'global', criteria: JSON.stringify({ groups: [{ conditions: [{ field: 'hostname', operator: 'begins_with', value: 'web-' }] }] }), created_at: now, updated_at: now })
      .execute();
    await page.goto(`${t.url}/scheduled-jobs`);
    await page.getByTestId('scheduled-jobs-create').click();
    await page.getByTestId('scheduled-job-editor').waitFor();
    await page.getByTestId('editor-name').fill('Web servers now');
    await page.getByTestId('editor-assembly').click();
    await page.getByRole('option', { name: 'Disk usage check' }).click();
    await page.getByTestId('editor-filters').click();
    await page.getByRole('option', { name: 'Web servers' }).click();
    await page.keyboard.press('Escape');
    await page.getByTestId('editor-schedule-type').click();
    await page.getByRole('option', { name: 'Immediately (once, now)' }).click();
    await page.getByTestId('editor-save').click();
    await page.getByTestId('scheduled-job-history').waitFor();
    const job = await t.engine.ctx.db.selectFrom('scheduled_jobs').select('targets').where('name', '=', 'Web servers now').executeTakeFirstOrThrow();
    expect(job.targets).toEqual([{ kind: 'filter', filter_id: expect.any(Number) }]);
    await until(() => runner.runs.length === 2, 30_000);
    expect(runner.runs[1]!.isSignatureValid).toBe(true);
    expect(problems).toEqual([]);
  });
});
