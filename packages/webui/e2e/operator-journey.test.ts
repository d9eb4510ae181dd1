// The operator's first day in real Chromium against a real engine: Aegis setup with the setup token,
// the first admin with an authenticator, recovery codes, sign-out and sign-in with TOTP, the sessions
// table, then an engine restart that locks the gate until the passphrase unlocks it.

import { mkdirSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { makeHome, startTestEngine, type TestEngine } from '@borealis/engine/testing';
import { launchBrowser } from './browser';
import { ADMIN, PASSPHRASE, readSetupToken, totpNow, waitForStepAfter } from './operator';

const SHOTS = 'test-results';

describe('operator journey in Chromium', () => {
  const home = makeHome();
  let t: TestEngine;
  let browser: Browser;
  let page: Page;
  let totpSecret = '';
  /** The TOTP step last accepted by the engine; it refuses that step and older ones. */
  let usedStep = 0;
  const problems: string[] = [];
  /** Chromium logs every 4xx answer as a console error; those are expected answers, listed apart. */
  const refusals: string[] = [];

  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite', listen: true, home });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const refused = /^Failed to load resource: the server responded with a status of (\d+)/.exec(msg.text());
      if (refused) refusals.push(`${refused[1]} ${new URL(msg.location().url).pathname}`);
      else problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(home, { recursive: true, force: true });
  });

  const gate = () => page.getByTestId('gate-screen');
  const gateStep = () => gate().getAttribute('data-step');
  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

  const signIn = async () => {
    await expect.poll(gateStep).toBe('sign_in');
    await page.getByTestId('login-username').fill(ADMIN.username);
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    await expect.poll(gateStep).toBe('mfa');
    await waitForStepAfter(usedStep);
    const totp = totpNow(totpSecret);
    await page.getByTestId('mfa-code-input').fill(totp.code);
    await page.getByTestId('mfa-submit').click();
    await page.getByTestId('user-menu').waitFor();
    usedStep = totp.step;
  };

  it('walks a fresh engine through Aegis setup, the first admin and recovery codes into the app', async () => {
    const setupToken = readSetupToken(home);
    expect(t.stderr()).toContain(setupToken);

    await page.goto(`${t.url}/server`);
    await expect.poll(() => gate().getAttribute('data-phase')).toBe('aegis_setup_required');
    await shot('gate-aegis-setup');

    // Client-side checks first: a short passphrase and a mismatch never reach the engine.
    await page.getByTestId('setup-token-input').fill(setupToken);
    await page.getByTestId('passphrase-input').fill('too short');
    await page.getByTestId('passphrase-confirm-input').fill('something else');
    await page.getByTestId('aegis-setup-submit').click();
    await page.getByText('Use at least 12 characters').waitFor();
    await page.getByText('The two passphrases do not match').waitFor();

    await page.getByTestId('passphrase-input').fill(PASSPHRASE);
    await page.getByTestId('passphrase-confirm-input').fill(PASSPHRASE);
    await page.getByTestId('aegis-setup-submit').click();
    await expect.poll(() => gate().getAttribute('data-phase')).toBe('admin_setup_required');
    // The token from the first step is kept in memory, not asked for again.
    await page.getByTestId('setup-token-kept').waitFor();
    await page.getByTestId('admin-username-input').fill(ADMIN.username);
    await page.getByTestId('admin-display-name-input').fill(ADMIN.displayName);
    await page.getByTestId('admin-password-input').fill(ADMIN.password);
    await page.getByTestId('admin-password-confirm-input').fill(ADMIN.password);
    await shot('gate-admin-setup');
    await page.getByTestId('admin-setup-submit').click();

    await expect.poll(gateStep).toBe('totp_enrolment');
    expect(await page.getByTestId('totp-qr').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    totpSecret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s+/g, '');
    expect(totpSecret).toMatch(/^[A-Z2-7]{32}$/);
    await shot('gate-totp-enrolment');
    await page.getByTestId('totp-code-input').fill('000000');
    await page.getByTestId('totp-submit').click();
    await page.getByText('That code is not valid').waitFor();
    const totp = totpNow(totpSecret);
    await page.getByTestId('totp-code-input').fill(totp.code);
    await page.getByTestId('totp-submit').click();
    usedStep = totp.step;

    await expect.poll(gateStep).toBe('recovery_codes');
    const codes = await page.getByTestId('recovery-code').allTextContents();
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    await shot('gate-recovery-codes');
    expect(await page.getByTestId('recovery-codes-continue').isDisabled()).toBe(true);
    await page.getByTestId('recovery-codes-saved').check();
    await page.getByTestId('recovery-codes-continue').click();

    // The app shell, at the page first asked for.
    await page.getByTestId('user-menu').waitFor();
    expect(new URL(page.url()).pathname).toBe('/server');
    expect(await page.getByTestId('user-name').textContent()).toBe(ADMIN.displayName);
    expect(await page.getByTestId('user-role').textContent()).toBe('Admin');
    await page.getByTestId('server-version').waitFor();
  });

  it('signs out, then back in with the password and a fresh authenticator code', async () => {
    await page.getByTestId('user-menu').click();
    await page.getByTestId('sign-out').click();
    await expect.poll(gateStep).toBe('sign_in');
    expect(await page.evaluate(() => fetch('/api/auth/me').then((r) => r.status))).toBe(401);
    await shot('gate-sign-in');

    await page.getByTestId('login-username').fill(ADMIN.username);
    await page.getByTestId('login-password').fill('not-the-password-at-all');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();
    expect(await page.getByTestId('login-error').textContent()).toContain('Wrong user name or password');

    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    await expect.poll(gateStep).toBe('mfa');
    await shot('gate-mfa');
    await page.getByTestId('mfa-back').click();
    await signIn();
    expect(new URL(page.url()).pathname).toBe('/server');
  }, 60_000);

  it('lists the current session on Account security', async () => {
    await page.getByTestId('user-menu').click();
    await page.getByTestId('menu-account-security').click();
    await page.waitForURL('**/account/security');
    await page.getByTestId('sessions-table').waitFor();
    const current = page.locator('[data-testid="session-row"][data-current="true"]');
    expect(await current.count()).toBe(1);
    expect(await current.getByTestId('session-current').textContent()).toBe('This session');
    expect(await current.textContent()).toContain('Password + authenticator');
    expect(await page.getByTestId('totp-status').textContent()).toBe('On');
    expect(await page.getByTestId('recovery-codes-left').textContent()).toBe('10 of 10 left');
    await shot('account-security');
  });

  it('after a restart shows the unlock screen, answers 423, and asks for a new sign-in once unlocked', async () => {
    await t.engine.stop();
    t = await startTestEngine({ dialect: 'pglite', listen: true, home });
    await page.goto(`${t.url}/account/security`);
    await expect.poll(() => gate().getAttribute('data-phase')).toBe('aegis_unlock_required');
    const locked = await page.evaluate(() => fetch('/api/auth/me').then(async (r) => ({ status: r.status, body: await r.json() })));
    expect(locked.status).toBe(423);
    expect(locked.body.error).toMatchObject({ code: 'bootstrap_required', phase: 'aegis_unlock_required' });
    await shot('gate-unlock');

    await page.getByTestId('unlock-passphrase-input').fill('definitely not the passphrase');
    await page.getByTestId('unlock-submit').click();
    await page.getByText('That is not the Aegis passphrase').waitFor();
    await page.getByTestId('unlock-passphrase-input').fill(PASSPHRASE);
    await page.getByTestId('unlock-submit').click();

    // The cookie from before the restart is dead: sign in again, back to the page asked for.
    await expect.poll(() => gate().getAttribute('data-phase')).toBe('login_required');
    await signIn();
    expect(new URL(page.url()).pathname).toBe('/account/security');
    await page.getByTestId('sessions-table').waitFor();
  }, 60_000);

  it('logged no errors and no CSP violations, and only the refusals the journey provoked', () => {
    expect(problems).toEqual([]);
    expect(refusals).toEqual([
      '401 /api/bootstrap/admin/mfa/verify', // the wrong first code
      '401 /api/auth/me', // asked by the test after sign-out
      '401 /api/auth/login', // the wrong password
      '423 /api/auth/me', // asked by the test while locked
      '401 /api/bootstrap/aegis/unlock', // the wrong passphrase
    ]);
  });
});
