// Housekeeping passes: expired tickets, challenges, ended sessions and idle throttle rows go;
// live ones stay; the daily sweep removes audit rows past the retention age.

import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from './clock';
import { DIALECTS } from '../test/databases';
import { startTestEngine, type TestEngine } from '../test/engine-harness';
import { setUpEngine } from '../test/factories';

describe.each(DIALECTS)('maintenance on %s', (dialect) => {
  const clock = createManualClock(new Date());
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine({ dialect, clock });
    await setUpEngine(t);
  });
  afterAll(() => t.close());

  it('removes what has expired and keeps what is live', async () => {
    const { db } = t.engine.ctx;
    const now = clock.now();
    const old = new Date(now.getTime() - 2 * 3600_000);
    await db.insertInto('auth_tickets').values([
      { id: uuidv7(), token_hash: randomBytes(32), user_id: null, purpose: 'mfa', expires_at: old },
      { id: uuidv7(), token_hash: randomBytes(32), user_id: null, purpose: 'mfa', expires_at: new Date(now.getTime() + 300_000) },
    ]).execute();
    await db.insertInto('auth_throttle').values([
      { key: 'ip:192.0.2.1', failures: 3, last_failure_at: old, lock_count: 0, updated_at: new Date(now.getTime() - 2 * 86_400_000) },
      { key: 'ip:192.0.2.2', failures: 3, last_failure_at: now, lock_count: 0, updated_at: now },
    ]).execute();
    await t.engine.ctx.security!.maintenance.runMinutely();
    const tickets = await db.selectFrom('auth_tickets').select('expires_at').execute();
    expect(tickets.every((r) => r.expires_at > now)).toBe(true);
    expect((await db.selectFrom('auth_throttle').select('key').execute()).map((r) => r.key)).toContain('ip:192.0.2.2');
    expect((await db.selectFrom('auth_throttle').select('key').execute()).map((r) => r.key)).not.toContain('ip:192.0.2.1');
  });

  it('sweeps audit rows older than the retention age', async () => {
    const { db } = t.engine.ctx;
    const day = 86_400_000;
    await db.insertInto('audit_events').values([
      { id: uuidv7(), at: new Date(clock.now().getTime() - 400 * day), actor_type: 'system', action: 'test.old', outcome: 'success', severity: 'info', details: '{}' },
      { id: uuidv7(), at: new Date(clock.now().getTime() - 100 * day), actor_type: 'system', action: 'test.recent', outcome: 'success', severity: 'info', details: '{}' },
    ]).execute();
    expect(await t.engine.ctx.security!.maintenance.runDaily()).toBe(1);
    const left = await db.selectFrom('audit_events').select('action').where('action', 'like', 'test.%').execute();
    expect(left.map((r) => r.action)).toEqual(['test.recent']);
  });
});
