// Launches Debian's Chromium headless for end-to-end tests (no browser download).

import { chromium, type Browser } from 'playwright-core';

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
