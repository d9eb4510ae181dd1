// In real Chromium against a real engine, signed in as the first admin: the Server page shows the
// admin cards (certificate, Aegis, workers), and the Logs page lists engine.log and shows its lines.

import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestEngine, type TestEngine } from '@borealis/engine/testing';
import { launchBrowser, openSignedInPage } from './browser';
import { bootstrapOverHttp } from './operator';

describe('Logs page in Chromium', () => {
  let t: TestEngine;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite', listen: true });
    const admin = await bootstrapOverHttp(t.url!, t.home);
    browser = await launchBrowser();
    page = await openSignedInPage(browser, t.url!, admin.cookies, { problems });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the admin cards on the Server page', async () => {
    await page.goto(`${t.url}/server`);
    await page.getByTestId('aegis-card').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('aegis-card').textContent()).toContain('unlocked');
    expect(await page.getByTestId('presence-card').textContent()).toContain('ada');
    await page.getByTestId('workers-card').waitFor();
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/server-admin-cards.png', fullPage: true });
  });

  it('lists engine.log and shows its lines, filtered', async () => {
    await page.goto(`${t.url}/logs`);
    const file = page.getByTestId('log-file-api-backend:engine.log');
    await file.waitFor({ timeout: 15_000 });
    await file.click();
    await expect.poll(() => page.getByTestId('log-entries').textContent(), { timeout: 15_000 }).toContain('engine listening');
    await page.getByLabel('Filter').fill('open the webui');
    // The list empties while the filtered page loads: wait for the filtered lines themselves.
    const entries = async () => (await page.getByTestId('log-entries').textContent()) ?? '';
    await expect.poll(entries, { timeout: 15_000 }).toContain('open the WebUI');
    expect(await entries()).not.toContain('engine listening');
    await page.screenshot({ path: 'test-results/logs-page.png', fullPage: true });
    expect(problems).toEqual([]);
  });
});
