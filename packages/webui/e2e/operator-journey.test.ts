// The operator's first day in real Chromium against a real engine: Aegis setup with the setup token,
// the first admin with an authenticator, recovery codes, sign-out and sign-in with TOTP, the sessions
// table, a passkey registered with Chromium's virtual authenticator and used to sign in, then an engine
// restart that locks the gate until the passphrase unlocks it, and a sign-in with password + passkey.
// Every URL uses localhost: a passkey's RP ID is a host name, `localhost` on a loopback engine.

import { mkdirSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { makeHome, startTestEngine, type TestEngine } from '@borealis/engine/testing';
import { launchBrowser } from './browser';
import { ADMIN, PASSPHRASE, readSetupToken, totpNow, waitForStepAfter } from './operator';

const SHOTS = 'test-results';

describe('operator journey in Chromium', () => {
  const home = makeHome();
  let t: TestEngine;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId = '';
  let totpSecret = '';
  let recoveryCodes: string[] = [];
  /** The TOTP step last accepted by the engine; it refuses that step and older ones. */
  let usedStep = 0;
  const problems: string[] = [];
  let isEngineDown = false;
  /** Chromium logs every 4xx answer as a console error; those are expected answers, listed apart. */
  const refusals: string[] = [];
  /** Realtime reconnect attempts refused while the engine was down. */
  const refusedWhileDown: string[] = [];

  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite', listen: true, home });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    watch(page);
    // A platform authenticator that verifies the user and answers at once (no prompt to click).
    cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    }));
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(home, { recursive: true, force: true });
  });

  const watch = (target: Page) => {
    target.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const refused = /^Failed to load resource: the server responded with a status of (\d+)/.exec(msg.text());
      if (refused) refusals.push(`${refused[1]} ${new URL(msg.location().url).pathname}`);
      // The realtime connection retries while the engine is stopped for the restart; Chromium logs
      // each refused attempt, which no script can silence.
      else if (/^WebSocket connection to '[^']*\/socket\.io\/[^']*' failed: .*ERR_CONNECTION_REFUSED$/.test(msg.text())) refusedWhileDown.push(msg.text());
      // So does a background poll the open page sends while the engine is down, and only then.
      else if (isEngineDown && msg.text() === 'Failed to load resource: net::ERR_CONNECTION_REFUSED') refusedWhileDown.push(msg.text());
      else problems.push(msg.text());
    });
    target.on('pageerror', (err) => problems.push(err.message));
  };
  /** The engine's URL by host name: passkeys refuse IP addresses. The port changes on restart. */
  const url = (path: string) => `${t.url!.replace('//127.0.0.1:', '//localhost:')}${path}`;
  const storedCredentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  const gate = () => page.getByTestId('gate-screen');
  const gateStep = () => gate().getAttribute('data-step');
  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

  const signOut = async () => {
    await page.getByTestId('user-menu').click();
    await page.getByTestId('sign-out').click();
    await expect.poll(gateStep).toBe('sign_in');
  };
  const enterPassword = async () => {
    await expect.poll(gateStep).toBe('sign_in');
    await page.getByTestId('login-username').fill(ADMIN.username);
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    await expect.poll(gateStep).toBe('mfa');
  };
  const openAccountSecurity = async () => {
    await page.getByTestId('user-menu').click();
    await page.getByTestId('menu-account-security').click();
    await page.waitForURL('**/account/security');
  };
  const currentSession = () => page.locator('[data-testid="session-row"][data-current="true"]');

  const signIn = async () => {
    await enterPassword();
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

    await page.goto(url('/server'));
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
    recoveryCodes = codes;
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
    await signOut();
    expect(await page.evaluate(() => fetch('/api/auth/me').then((r) => r.status))).toBe(401);
    // On a host name the sign-in screen offers passkeys too.
    expect(await page.getByTestId('login-passkey').textContent()).toBe('Sign in with a passkey');
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
    await openAccountSecurity();
    await page.getByTestId('sessions-table').waitFor();
    const current = currentSession();
    expect(await current.count()).toBe(1);
    expect(await current.getByTestId('session-current').textContent()).toBe('This session');
    expect(await current.textContent()).toContain('Password + authenticator');
    expect(await page.getByTestId('totp-status').textContent()).toBe('On');
    expect(await page.getByTestId('recovery-codes-left').textContent()).toBe('10 of 10 left');
    await page.getByTestId('passkeys-empty').waitFor();
    expect(await page.getByTestId('passkey-host-hint').count()).toBe(0);
    await shot('account-security');
  });

  it('registers a passkey with the virtual authenticator and renames it in place', async () => {
    await page.getByTestId('passkey-add').click();
    await page.getByTestId('passkey-label-input').fill('Work laptop');
    await page.getByTestId('passkey-add-submit').click();
    const row = page.locator('[data-testid="passkey-row"][data-label="Work laptop"]');
    await row.waitFor();
    await page.getByTestId('passkey-added').waitFor();
    expect(await row.textContent()).toContain('Never');
    expect(await row.textContent()).toContain('Built-in');
    const credentials = await storedCredentials();
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });

    // The same authenticator again: the engine's exclude list makes the browser refuse, with a reason.
    await page.getByTestId('passkey-add').click();
    await page.getByTestId('passkey-add-submit').click();
    await page.getByTestId('passkey-add-error').waitFor();
    expect(await page.getByTestId('passkey-add-error').textContent()).toContain('already holds a passkey');
    await shot('passkey-add-refused');
    await page.keyboard.press('Escape');
    await page.getByTestId('passkey-add-dialog').waitFor({ state: 'hidden' });
    expect(await storedCredentials()).toHaveLength(1);

    await row.locator('[data-testid^="passkey-rename-"]').click();
    await page.getByTestId('passkey-rename-input').fill('Ada’s laptop');
    await page.getByTestId('passkey-rename-input').press('Enter');
    await page.locator('[data-testid="passkey-row"][data-label="Ada’s laptop"]').waitFor();
    expect(await page.getByTestId('passkeys-count').textContent()).toBe('1 of 10');
    await page.mouse.move(0, 0);
    await page.getByTestId('passkeys-card').screenshot({ path: `${SHOTS}/passkeys-card.png` });
  });

  it('signs out and back in with the passkey alone', async () => {
    await signOut();
    await page.getByTestId('login-passkey').click();
    await page.getByTestId('user-menu').waitFor();
    await openAccountSecurity();
    await page.getByTestId('sessions-table').waitFor();
    expect(await currentSession().textContent()).toContain('Passkey');
    expect(await currentSession().textContent()).not.toContain('Password');
    // The passkey now has a last use.
    const row = page.locator('[data-testid="passkey-row"][data-label="Ada’s laptop"]');
    await expect.poll(() => row.textContent()).not.toContain('Never');
  });

  it('after a restart shows the unlock screen, answers 423, and asks for a new sign-in once unlocked', async () => {
    isEngineDown = true;
    await t.engine.stop();
    t = await startTestEngine({ dialect: 'pglite', listen: true, home });
    await page.goto(url('/account/security'));
    isEngineDown = false;
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

    // The cookie from before the restart is dead: sign in again (password, then the passkey as the
    // second factor: the virtual authenticator kept it), back to the page asked for.
    await expect.poll(() => gate().getAttribute('data-phase')).toBe('login_required');
    await enterPassword();
    await page.getByTestId('mfa-use-passkey').waitFor();
    await shot('gate-mfa-passkey');
    await page.getByTestId('mfa-use-passkey').click();
    await page.getByTestId('user-menu').waitFor();
    expect(new URL(page.url()).pathname).toBe('/account/security');
    await page.getByTestId('sessions-table').waitFor();
    expect(await currentSession().textContent()).toContain('Password + passkey');
  }, 60_000);

  it('removes the passkey after a confirmation', async () => {
    const row = page.locator('[data-testid="passkey-row"][data-label="Ada’s laptop"]');
    await row.locator('[data-testid^="passkey-remove-"]').click();
    await page.getByTestId('passkey-remove-dialog-confirm').click();
    await page.getByTestId('passkeys-empty').waitFor();
    expect(await page.evaluate(() => fetch('/api/auth/passkeys').then(async (r) => (await r.json()).passkeys))).toEqual([]);
  });

  it('on the IP address offers no passkeys and says which address to open instead', async () => {
    // Another browser window at 127.0.0.1: its own cookies, so a sign-in of its own (with a recovery code).
    const ipPage = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    watch(ipPage);
    await ipPage.goto(`${t.url}/account/security`);
    await ipPage.getByTestId('login-username').fill(ADMIN.username);
    await ipPage.getByTestId('login-password').fill(ADMIN.password);
    expect(await ipPage.getByTestId('login-passkey').count()).toBe(0);
    await ipPage.getByTestId('login-submit').click();
    await ipPage.getByTestId('mfa-use-recovery').click();
    await ipPage.getByTestId('mfa-recovery-input').fill(recoveryCodes[0]!);
    await ipPage.getByTestId('mfa-submit').click();
    await ipPage.getByTestId('passkeys-card').waitFor();
    expect(await ipPage.getByTestId('passkey-add').count()).toBe(0);
    expect(await ipPage.getByTestId('passkey-host-link').getAttribute('href')).toBe(url('/account/security'));
    await ipPage.getByTestId('passkeys-card').screenshot({ path: `${SHOTS}/passkeys-card-ip-address.png` });
    await ipPage.close();
  });

  it('logged no errors and no CSP violations, and only the refusals the journey provoked', () => {
    expect(problems).toEqual([]);
    expect(refusals).toEqual([
      '401 /api/bootstrap/admin/mfa/verify', // the wrong first code
      '401 /api/auth/me', // asked by the test after sign-out
      '401 /api/auth/login', // the wrong password
      '423 /api/auth/me', // asked by the test while locked
      '401 /api/bootstrap/aegis/unlock', // the wrong passphrase
      '401 /api/auth/me', // the new window at the IP address, not signed in yet
    ]);
  });
});
