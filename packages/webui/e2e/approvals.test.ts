// Enrolment approvals in real Chromium against a real engine: the Sites page shows the install
// command; a test agent's request appears on the Approvals page with a badge, is approved in the
// browser and its next poll returns tokens; a host-name clash is explained and denied with a reason.

import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { EnrollPollResponseSchema } from '@borealis/protocol/agent';
import { startTestEngine, type TestEngine } from '@borealis/engine/testing';
import { createTestAgent, fetchTransport, type TestAgent } from '@borealis/engine/testing/agent';
import { launchBrowser, openSignedInPage } from './browser';
import { bootstrapOverHttp } from './operator';

const SHOTS = 'test-results';
const SITE = 'Kirkenes depot';

describe('approvals in Chromium', () => {
  let t: TestEngine;
  let browser: Browser;
  let page: Page;
  let code = '';
  let cookies: readonly { name: string; value: string }[] = [];
  const problems: string[] = [];

  const asAdmin = async (method: string, path: string, body?: unknown) => {
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
    return response.json() as Promise<Record<string, unknown>>;
  };
  // The engine has no BOREALIS_PUBLIC_URL here, so agents sign `htu` against the URL it listens on.
  const newAgent = (hostname: string): TestAgent => createTestAgent({ origin: t.url!, transport: fetchTransport(t.url!), code, hostname });
  const row = (hostname: string) => page.locator(`[data-testid="approval-row"][data-hostname="${hostname}"]`);
  const shot = async (name: string) => {
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity));
    await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  };

  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite', listen: true });
    const admin = await bootstrapOverHttp(t.url!, t.home);
    cookies = admin.cookies;
    code = String((await asAdmin('POST', '/api/sites', { name: SITE })).enrollment_code);
    browser = await launchBrowser();
    page = await openSignedInPage(browser, t.url!, admin.cookies, { problems });
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the copyable one-line install command next to the site code', async () => {
    await page.goto(`${t.url}/sites`);
    const site = page.locator(`[data-testid="site-row"][data-site-name="${SITE}"]`);
    await site.getByTestId('site-install-copy').waitFor();
    expect(await site.getByTestId('site-install-command').count()).toBe(0);
    await site.getByTestId('site-code-toggle').click();
    expect(await site.getByTestId('site-install-command').textContent()).toBe(
      `curl -fsSL '${t.url}/api/agent/install/download/linux' | sudo bash -s -- --site-enrollment-code '${code}'`,
    );
    await shot('approvals-sites-install-command');
  });

  it('shows an empty queue, then a request with a badge; approving it in the browser lets the next poll take its tokens', async () => {
    await page.getByTestId('nav-approvals').click();
    await page.getByTestId('approvals-empty').waitFor();
    expect(await page.getByTestId('approvals-pending-badge').count()).toBe(0);
    await page.getByTestId('wrong-codes-empty').waitFor();

    const agent = newAgent('pos-terminal-12');
    const requested = await agent.request();
    expect(requested.status).toBe(200);
    expect((await agent.poll()).body).toEqual({ status: 'pending', poll_after_ms: 5000 });

    // No reload: the approvals_changed event brings the request in, well before the 30 s fallback poll.
    await row('pos-terminal-12').waitFor({ timeout: 5_000 });
    await expect.poll(() => page.getByTestId('approvals-pending-badge').textContent(), { timeout: 5_000 }).toBe('1');
    const text = (await row('pos-terminal-12').textContent()) ?? '';
    expect(text).toContain(SITE);
    expect(text).toContain('linux/x64');
    expect(text).toContain('v0.1.0');
    expect(await row('pos-terminal-12').getByTestId('approval-conflict').count()).toBe(0);
    await shot('approvals-pending');

    await row('pos-terminal-12').getByTestId('approval-approve').click();
    await page.getByTestId('approve-dialog-confirm').waitFor();
    expect(await page.getByTestId('approve-resolution').count()).toBe(0);
    await page.getByTestId('approve-dialog-confirm').click();
    await page.getByTestId('approve-dialog').waitFor({ state: 'hidden' });
    await row('pos-terminal-12').waitFor({ state: 'detached' });

    const poll = EnrollPollResponseSchema.parse((await agent.poll()).body);
    expect(poll.status).toBe('approved');
    if (poll.status !== 'approved') return;
    expect(poll.access_token.length).toBeGreaterThan(100);
    expect(poll.site_name).toBe(SITE);
    expect((await agent.poll()).body).toEqual({ status: 'completed', guid: poll.guid });

    await page.getByTestId('approvals-filter').getByText('Enrolled').click();
    await row('pos-terminal-12').waitFor();
    expect(await row('pos-terminal-12').getByTestId('approval-status').textContent()).toBe('completed');
  });

  it('explains a host-name clash, offers only overwrite or keep both, and denies with a reason', async () => {
    const clash = newAgent('pos-terminal-12');
    await clash.request();
    await page.getByTestId('approvals-filter').getByText('Pending').click();
    await row('pos-terminal-12').waitFor({ timeout: 15_000 });
    const conflict = row('pos-terminal-12').getByTestId('approval-conflict');
    expect(await conflict.getAttribute('data-conflict')).toBe('same_hostname');
    expect(await conflict.textContent()).toContain('already has the host name pos-terminal-12');

    await row('pos-terminal-12').getByTestId('approval-approve').click();
    await page.getByTestId('approve-resolution').waitFor();
    expect(await page.getByTestId('approve-resolution-overwrite').count()).toBe(1);
    expect(await page.getByTestId('approve-resolution-coexist').count()).toBe(1);
    expect(await page.getByTestId('approve-resolution-merge').count()).toBe(0);
    expect(await page.getByTestId('approve-dialog-confirm').isDisabled()).toBe(true);
    await shot('approvals-conflict');
    await page.getByTestId('approve-dialog-cancel').click();
    await page.getByTestId('approve-dialog').waitFor({ state: 'hidden' });

    await row('pos-terminal-12').getByTestId('approval-deny').click();
    await page.getByTestId('deny-reason').fill('duplicate till, not ours');
    await page.getByTestId('deny-dialog-confirm').click();
    await row('pos-terminal-12').waitFor({ state: 'detached' });
    expect((await clash.poll()).body).toEqual({ status: 'denied', reason: 'operator_denied' });
    expect(problems).toEqual([]);
  });
});
