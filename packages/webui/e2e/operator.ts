// Test-side helpers for signing in: the setup token from the engine's home, TOTP codes computed like
// an authenticator app, waiting for a fresh 30 s step, and a first-run bootstrap over plain HTTP.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';

export const PASSPHRASE = 'aurora over the fjord 2026';
export const ADMIN = { username: 'ada', displayName: 'Ada Admin', password: 'northern-lights-keeper-77' } as const;

const STEP_MS = 30_000;

export function readSetupToken(home: string): string {
  return readFileSync(join(home, 'Services', 'api-backend', 'secrets', 'setup_token.txt'), 'utf8').trim();
}

export function currentTotpStep(): number {
  return Math.floor(Date.now() / STEP_MS);
}

/** The code an authenticator app shows now, and the step it belongs to. */
export function totpNow(secret: string): { code: string; step: number } {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
  const timestamp = Date.now();
  return { code: totp.generate({ timestamp }), step: Math.floor(timestamp / STEP_MS) };
}

/** The engine takes each step once: wait until the clock is past `usedStep` before the next code. */
export async function waitForStepAfter(usedStep: number): Promise<void> {
  while (currentTotpStep() <= usedStep) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export interface BootstrappedAdmin {
  readonly totpSecret: string;
  /** Session and CSRF cookies of the signed-in first admin, for a browser context. */
  readonly cookies: readonly { name: string; value: string }[];
}

/** Aegis setup and the first admin over HTTP, as the WebUI would do it; answers the admin's cookies. */
export async function bootstrapOverHttp(url: string, home: string): Promise<BootstrappedAdmin> {
  const setupToken = readSetupToken(home);
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return response;
  };
  await post('/api/bootstrap/aegis/setup', { cipher: PASSPHRASE, setup_token: setupToken });
  const ticket = (await (
    await post('/api/bootstrap/admin/setup', {
      username: ADMIN.username,
      display_name: ADMIN.displayName,
      password: ADMIN.password,
      setup_token: setupToken,
    })
  ).json()) as { pending_token: string; secret: string };
  const verified = await post('/api/bootstrap/admin/mfa/verify', {
    pending_token: ticket.pending_token,
    code: totpNow(ticket.secret).code,
    setup_token: setupToken,
  });
  const cookies = verified.headers.getSetCookie().map((line) => {
    const [pair = ''] = line.split(';');
    const at = pair.indexOf('=');
    return { name: pair.slice(0, at), value: pair.slice(at + 1) };
  });
  return { totpSecret: ticket.secret, cookies };
}
