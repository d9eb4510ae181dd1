// Launches Debian's Chromium headless for end-to-end tests (no browser download), and opens a page
// already signed in with an operator's cookies.

import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.BOREALIS_CHROMIUM ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const DESKTOP = { width: 1440, height: 900 } as const;

/** Where a page's complaints go: tests expect `problems` to stay empty and `refusals` to hold only the HTTP errors they provoked. */
export interface PageWatch {
  readonly problems: string[];
  /** When given, console errors are watched too: "<status> <path>" of refused requests here, anything else in `problems`. */
  readonly refusals?: string[];
}

export function watchPage(page: Page, { problems, refusals }: PageWatch): void {
  page.on('pageerror', (err) => problems.push(err.message));
  if (!refusals) return;
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const refused = /^Failed to load resource: the server responded with a status of (\d+)/.exec(msg.text());
    if (refused) refusals.push(`${refused[1]} ${new URL(msg.location().url).pathname}`);
    else problems.push(msg.text());
  });
}

/** A page in a new context carrying the operator's session and CSRF cookies for `url`, watched as `watch` says. */
export async function openSignedInPage(
  browser: Browser,
  url: string,
  cookies: readonly { name: string; value: string }[],
  watch: PageWatch,
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: DESKTOP, ...options });
  await context.addCookies(cookies.map((cookie) => ({ ...cookie, url })));
  const page = await context.newPage();
  watchPage(page, watch);
  return page;
}
