// In real Chromium against a real engine, signed in as the first admin (set up over HTTP): the
// Server page shows the engine's version and a healthy database; deep links render inside the app
// shell; the CSP is never violated.

import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ENGINE_VERSION } from '@borealis/engine';
import { startTestEngine, type TestEngine } from '@borealis/engine/testing';
import { launchBrowser, openSignedInPage } from './browser';
import { bootstrapOverHttp } from './operator';

describe('Server page in Chromium', () => {
  let t: TestEngine;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite', listen: true });
    const admin = await bootstrapOverHttp(t.url!, t.home);
    browser = await launchBrowser();
    page = await openSignedInPage(browser, t.url!, admin.cookies, { problems });
    // Every console error counts here, refused requests included.
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the version, role and a healthy embedded database', async () => {
    await page.goto(`${t.url}/`);
    await page.waitForURL('**/server');
    await expect.poll(() => page.getByTestId('server-version').textContent()).toBe(ENGINE_VERSION);
    expect(await page.getByTestId('server-role').textContent()).toBe('all');
    await expect.poll(() => page.getByTestId('database-status').textContent()).toContain('Healthy');
    expect(await page.getByTestId('health-status').textContent()).toContain('Healthy');
    expect(await page.getByTestId('database-dialect').textContent()).toContain('PGlite');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/server-page.png', fullPage: true });
  });

  it('shows only areas that exist in the navigation', async () => {
    const links = await page.locator('nav a').allTextContents();
    expect(links.map((l) => l.trim())).toEqual(['Server', 'Sites', 'Devices', 'Approvals', 'Filters', 'Assemblies', 'Quick jobs', 'Scheduled jobs', 'Credentials', 'Users', 'Security', 'Audit', 'Logs']);
  });

  it('renders a deep link it does not know as a page-not-found inside the shell', async () => {
    await page.goto(`${t.url}/no-such-area/anything`);
    await expect.poll(() => page.getByTestId('not-found').isVisible()).toBe(true);
    expect(await page.getByTestId('product-name').isVisible()).toBe(true);
    await page.getByTestId('not-found-home').click();
    await page.waitForURL('**/server');
  });

  it('switches between light and dark themes and keeps the choice', async () => {
    await page.goto(`${t.url}/server`);
    const scheme = () => page.evaluate(() => document.documentElement.getAttribute('data-mantine-color-scheme'));
    const before = await scheme();
    await page.getByTestId('color-scheme-toggle').click();
    await expect.poll(scheme).not.toBe(before);
    const chosen = await scheme();
    await page.reload();
    await expect.poll(scheme).toBe(chosen);
  });

  it('logged no errors and no CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
