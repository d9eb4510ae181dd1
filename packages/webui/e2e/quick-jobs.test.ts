// Quick jobs in real Chromium against a real engine and a test agent on a real /agent socket: start a
// job from the Quick jobs page (assembly, variable), land on its live page, see the agent's output,
// the Success status and exit code, and the job in the list.

import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestEngine, type TestEngine } from '@borealis/engine/testing';
import { TestAgent } from '@borealis/engine/testing/device-agent';
import { insertAssembly, JobAgent, until } from '@borealis/engine/testing/quick-jobs';
import { launchBrowser, openSignedInPage } from './browser';
import { bootstrapOverHttp } from './operator';

const SHOTS = 'test-results';

describe('quick jobs in Chromium', () => {
  let t: TestEngine;
  let browser: Browser;
  let page: Page;
  let runner: JobAgent;
  const problems: string[] = [];

  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite', listen: true });
    const admin = await bootstrapOverHttp(t.url!, t.home);
    await insertAssembly(t, { name: 'Say hello', script: 'echo "$GREETING"\n', variables: [{ name: 'GREETING', label: 'Greeting', type: 'string', required: true }] });
    runner = await JobAgent.connect(t, await TestAgent.create(t, { hostname: 'web-01' }));
    browser = await launchBrowser();
    page = await openSignedInPage(browser, t.url!, admin.cookies, { problems });
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    runner?.close();
    await browser?.close();
    await t?.close();
  });

  it('runs an assembly on a device from the launcher and shows its live result', async () => {
    await page.goto(`${t.url}/quick-jobs`);
    await page.getByTestId('quick-jobs-empty').waitFor();
    await page.getByTestId('quick-jobs-hosts').fill('web-01');
    await page.keyboard.press('Enter');
    await page.getByTestId('quick-jobs-new').click();
    await page.getByTestId('launcher-assembly').click();
    await page.getByRole('option', { name: 'Say hello' }).click();
    await page.getByTestId('launcher-missing').waitFor();
    await page.getByTestId('launcher-var-GREETING').fill('hej from the browser');
    await page.getByTestId('launcher-run').click();

    await page.getByTestId('quick-job-page').waitFor();
    await until(() => runner.runs.length === 1, 15_000);
    const { payload, isSignatureValid } = runner.runs[0]!;
    expect(isSignatureValid).toBe(true);
    expect(payload.environment.GREETING).toBe('hej from the browser');
    expect(page.url()).toBe(`${t.url}/quick-jobs/${payload.quick_job_id}`);

    await runner.progress({ job_id: payload.job_id, seq: 0, stream: 'stdout', chunk: 'hej from the browser\n', phase: 'executing' });
    await page.getByTestId('quick-job-stdout').filter({ hasText: 'hej from the browser' }).waitFor({ timeout: 15_000 });
    await runner.result(payload.job_id, { stdout: 'hej from the browser\n', stdout_total_bytes: 21 });
    const row = page.getByTestId('target-web-01');
    await row.getByTestId('quick-job-status').filter({ hasText: 'Success' }).waitFor({ timeout: 15_000 });
    expect(await row.getByTestId('target-exit-code').textContent()).toBe('0');
    await page.getByTestId('count-success').waitFor();
    await page.screenshot({ path: `${SHOTS}/quick-job-results.png`, fullPage: true });

    await page.goto(`${t.url}/quick-jobs`);
    await page.getByTestId('quick-jobs-table').getByText('Say hello').waitFor();
    expect(problems).toEqual([]);
  });

  it('runs a script from the device page button and follows the job over the realtime room', async () => {
    const device = runner.agent;
    await page.goto(`${t.url}/devices/${device.guid}`);
    await page.getByTestId('run-quick-job').click();
    await page.getByTestId('launcher-assembly').click();
    await page.getByRole('option', { name: 'Say hello' }).click();
    await page.getByTestId('launcher-var-GREETING').fill('from the device page');
    await page.getByTestId('launcher-run').click();
    await page.getByTestId('quick-job-page').waitFor();
    await until(() => runner.runs.length === 2, 15_000);
    const { payload } = runner.runs[1]!;
    expect(payload.environment.GREETING).toBe('from the device page');
    // Well under the 15 s fallback poll: the output must arrive as a realtime event.
    await page.waitForTimeout(500);
    await runner.progress({ job_id: payload.job_id, seq: 0, stream: 'stdout', chunk: 'pushed live\n', phase: 'executing' });
    await page.getByTestId('quick-job-stdout').filter({ hasText: 'pushed live' }).waitFor({ timeout: 5_000 });
    await runner.result(payload.job_id, { stdout: 'pushed live\n', stdout_total_bytes: 12 });
    await page.getByTestId('target-web-01').getByTestId('quick-job-status').filter({ hasText: 'Success' }).waitFor({ timeout: 5_000 });
    expect(problems).toEqual([]);
  });
});
