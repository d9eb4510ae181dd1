// Quick-job delivery while Aegis is locked (security.md §2.4): nothing is claimed, and the engine
// log says so once per locked stretch instead of once per device and sweep.

import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../clock';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine, TEST_PASSPHRASE } from '../../../test/factories';
import { operatorClient } from '../../../test/operator-client';
import { createDelivery } from './delivery';
import { createJobEvents } from './job-events';
import { quickJobAssembliesOf } from './register';

const WAITS = 'quick job delivery waits: no signing key until Aegis is unlocked';

describe('quick job delivery on a locked engine', () => {
  const clock = createManualClock('2026-11-26T06:00:00Z');
  let t: TestEngine;
  const lines: string[] = [];
  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite', clock, agent: { loops: false } });
    await setUpEngine(t);
  });
  afterAll(() => t.close());

  const delivery = () => {
    const log = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push((JSON.parse(chunk.toString()) as { msg: string }).msg), done()) }));
    const db = t.engine.ctx.db;
    return createDelivery({
      db,
      clock,
      log,
      agents: null,
      assemblies: quickJobAssembliesOf(t.engine.ctx.security!.assemblies),
      events: createJobEvents({ db, clock, log, operators: null }),
      outputMaxBytes: 65_536,
    });
  };
  const waits = () => lines.filter((l) => l === WAITS).length;

  it('one log line per locked stretch, however many devices and sweeps ask, and a new one after unlock and lock again', async () => {
    const d = delivery();
    await d.deliver('00000000-0000-4000-8000-000000000001');
    expect(waits()).toBe(0);

    t.engine.ctx.security!.keyring.zero();
    for (let i = 0; i < 5; i += 1) await d.deliver(`00000000-0000-4000-8000-00000000000${i}`);
    expect(waits()).toBe(1);
    expect(lines.filter((l) => l.includes('skipped'))).toEqual([]);

    const unlocked = await operatorClient(t.engine.app!).post('/api/bootstrap/aegis/unlock', { cipher: TEST_PASSPHRASE });
    expect(unlocked.statusCode, unlocked.body).toBe(200);
    await d.deliver('00000000-0000-4000-8000-000000000001');
    expect(waits()).toBe(1);

    t.engine.ctx.security!.keyring.zero();
    await d.deliver('00000000-0000-4000-8000-000000000001');
    await d.deliver('00000000-0000-4000-8000-000000000002');
    expect(waits()).toBe(2);
  });
});
