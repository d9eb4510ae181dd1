// Test factories that build real state through the real stack: an engine taken through Aegis
// setup and first-admin enrolment, and signed-in operators of any role.

import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Role } from '../src/db/schema';
import { totpCodeAt } from '../src/domains/auth/factors/totp';
import type { TestEngine } from './engine-harness';
import { operatorClient, type OperatorClient } from './operator-client';

export const TEST_PASSPHRASE = 'aurora over the fjord 2026';
export const TEST_PASSWORD = 'northern-lights-keeper-77';

export interface SignedInAdmin {
  readonly client: OperatorClient;
  readonly username: string;
  readonly userId: string;
  readonly totpSecret: string;
}

/** Aegis setup + first admin with TOTP, through the bootstrap routes. Needs a fresh engine. */
export async function setUpEngine(t: TestEngine, options: { username?: string; ip?: string } = {}): Promise<SignedInAdmin> {
  const token = t.engine.ctx.security!.setupTokens.current();
  if (!token) throw new Error('no setup token: the engine is not fresh');
  const client = operatorClient(t.engine.app!, { ip: options.ip ?? randomIp() });
  const aegis = await client.post('/api/bootstrap/aegis/setup', { cipher: TEST_PASSPHRASE, setup_token: token });
  if (aegis.statusCode !== 200) throw new Error(`aegis setup failed: ${aegis.body}`);
  const username = options.username ?? 'admin';
  const ticket = await client.post('/api/bootstrap/admin/setup', { username, password: TEST_PASSWORD, setup_token: token });
  if (ticket.statusCode !== 200) throw new Error(`admin setup failed: ${ticket.body}`);
  const { pending_token, secret } = ticket.json() as { pending_token: string; secret: string };
  const done = await client.post('/api/bootstrap/admin/mfa/verify', { pending_token, code: totpCodeAt(secret, t.engine.ctx.clock.now()), setup_token: token });
  if (done.statusCode !== 200) throw new Error(`admin verify failed: ${done.body}`);
  return { client, username, userId: (done.json() as { user: { id: string } }).user.id, totpSecret: secret };
}

/**
 * A user of `role` inserted as an admin would create it (password under Aegis), exempt from MFA
 * unless asked, then signed in through /api/auth/login. Needs an unlocked engine.
 */
export async function signInAs(
  t: TestEngine,
  input: { role: Role; username?: string; siteIds?: Array<{ siteId: number; role?: 'operator' | 'viewer' }>; ip?: string },
): Promise<{ client: OperatorClient; userId: string; username: string }> {
  const security = t.engine.ctx.security!;
  const id = uuidv7();
  const username = input.username ?? `${input.role}-${randomBytes(3).toString('hex')}`;
  const phc = await security.hasher.hash(TEST_PASSWORD);
  const now = t.engine.ctx.clock.now();
  await t.engine.ctx.db
    .insertInto('users')
    .values({
      id,
      username,
      role: input.role,
      password_hash_enc: security.aegis.encrypt({ table: 'users', column: 'password_hash_enc', rowId: id }, phc),
      mfa_exempt: true,
      created_at: now,
      updated_at: now,
    })
    .execute();
  for (const a of input.siteIds ?? []) {
    await t.engine.ctx.db.insertInto('user_site_assignments').values({ user_id: id, site_id: a.siteId, role: a.role ?? null, assigned_at: now }).execute();
  }
  const client = operatorClient(t.engine.app!, { ip: input.ip ?? randomIp() });
  const res = await client.post('/api/auth/login', { username, password: TEST_PASSWORD });
  if (res.statusCode !== 200 || (res.json() as { status: string }).status !== 'ok') throw new Error(`sign-in failed: ${res.body}`);
  return { client, userId: id, username };
}

/** A distinct client address per client, so per-address rate limits do not couple tests. */
export function randomIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}
