// The signal bus on both dialects (data-model.md §2): a signal sent inside a transaction arrives on
// commit and never on rollback, long id lists are split under the NOTIFY limit, and on PostgreSQL a
// killed LISTEN connection comes back and tells every handler to re-check (`*`).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, createPostgresDatabase, DIALECTS, type TestPostgresDatabase } from '../../test/databases';
import { until } from '../../test/quick-job-fixtures';
import { quietLog } from '../../test/scheduling-fixtures';
import { openDatabase, type EngineDatabase } from './database';
import { createSignalBus, RESYNC, sendSignal, SIGNAL_APPLICATION_NAME, type SignalBus } from './signal-bus';

describe.each(DIALECTS)('signal bus on %s', (dialect) => {
  let postgres: TestPostgresDatabase | undefined;
  let database: EngineDatabase;
  let bus: SignalBus;
  const received: string[] = [];

  beforeAll(async () => {
    postgres = dialect === 'postgres' ? await createPostgresDatabase('signals') : undefined;
    database = await openDatabase(postgres ? { kind: 'postgres', url: postgres.url } : { kind: 'pglite', dataDir: null });
    bus = createSignalBus({ database, log: quietLog });
    bus.on('assembly_changed', (payload) => void received.push(payload));
    await bus.start();
  });
  afterAll(async () => {
    await bus?.close();
    await database?.close();
    await postgres?.drop();
  });

  it('delivers a signal sent in a transaction on commit, not before, and never on rollback', async () => {
    received.length = 0;
    await database.db.transaction().execute(async (trx) => {
      await sendSignal(trx, 'assembly_changed', 'in-trx');
      await new Promise((r) => setTimeout(r, 100));
      expect(received).toEqual([]);
    });
    await until(() => received.includes('in-trx'), 2_000);
    await database.db
      .transaction()
      .execute(async (trx) => {
        await sendSignal(trx, 'assembly_changed', 'rolled-back');
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await sendSignal(database.db, 'assembly_changed', 'after');
    await until(() => received.includes('after'), 2_000);
    expect(received).toEqual(['in-trx', 'after']);
  });

  it('splits a long id list into payloads under the NOTIFY limit', async () => {
    const ids = Array.from({ length: 500 }, (_, i) => `0190f000-0000-7000-8000-${String(i).padStart(12, '0')}`);
    const parts: string[] = [];
    const off = bus.on('session_revoked', (payload) => void parts.push(payload));
    await sendSignal(database.db, 'session_revoked', ids);
    await until(() => parts.join(',').split(',').length === ids.length, 2_000);
    off();
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThan(8_000);
    expect(parts.join(',').split(',')).toEqual(ids);
  });
});

describe('signal bus reconnect on postgres', () => {
  let postgres: TestPostgresDatabase;
  let database: EngineDatabase;
  let bus: SignalBus;
  const received: string[] = [];
  beforeAll(async () => {
    postgres = await createPostgresDatabase('signals_reconnect');
    database = await openDatabase({ kind: 'postgres', url: postgres.url });
    bus = createSignalBus({ database, log: quietLog });
    bus.on('assembly_changed', (payload) => void received.push(payload));
    await bus.start();
  });
  afterAll(async () => {
    await bus?.close();
    await database?.close();
    await postgres?.drop();
  });

  it('comes back after its connection is killed and asks handlers to re-check', async () => {
    const { rows } = await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`, [postgres.name, SIGNAL_APPLICATION_NAME]);
    expect(rows).toHaveLength(1);
    await until(() => received.includes(RESYNC), 10_000);
    await sendSignal(database.db, 'assembly_changed', 'back');
    await until(() => received.includes('back'), 2_000);
  });
});
