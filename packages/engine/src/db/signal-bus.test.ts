// The signal bus on both dialects (data-model.md §2): a signal sent inside a transaction arrives on
// commit and never on rollback, long id lists are split under the NOTIFY limit, and on PostgreSQL a
// killed LISTEN connection comes back and tells every handler to re-check (`*`).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, createPostgresDatabase, DIALECTS, type TestPostgresDatabase } from '../../test/databases';
import { until } from '../../test/quick-job-fixtures';
import { quietLog } from '../../test/scheduling-fixtures';
import { openDatabase, type EngineDatabase } from './database';
import { createSignalBus, RESYNC, sendSignal, SIGNAL_APPLICATION_NAME, type SignalBus } from './signal-bus';

/** A database of its own (PostgreSQL, or in-memory PGlite) with a started bus recording `assembly_changed`. */
function busFixture(dialect: 'postgres' | 'pglite', label: string) {
  const f = { postgres: undefined as TestPostgresDatabase | undefined, database: undefined as unknown as EngineDatabase, bus: undefined as unknown as SignalBus, received: [] as string[] };
  beforeAll(async () => {
    f.postgres = dialect === 'postgres' ? await createPostgresDatabase(label) : undefined;
    f.database = await openDatabase(f.postgres ? { kind: 'postgres', url: f.postgres.url } : { kind: 'pglite', dataDir: null });
    f.bus = createSignalBus({ database: f.database, log: quietLog });
    f.bus.on('assembly_changed', (payload) => void f.received.push(payload));
    await f.bus.start();
  });
  afterAll(async () => {
    await f.bus?.close();
    await f.database?.close();
    await f.postgres?.drop();
  });
  return f;
}

describe.each(DIALECTS)('signal bus on %s', (dialect) => {
  const f = busFixture(dialect, 'signals');

  it('delivers a signal sent in a transaction on commit, not before, and never on rollback', async () => {
    f.received.length = 0;
    await f.database.db.transaction().execute(async (trx) => {
      await sendSignal(trx, 'assembly_changed', 'in-trx');
      await new Promise((r) => setTimeout(r, 100));
      expect(f.received).toEqual([]);
    });
    await until(() => f.received.includes('in-trx'), 2_000);
    await f.database.db
      .transaction()
      .execute(async (trx) => {
        await sendSignal(trx, 'assembly_changed', 'rolled-back');
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await sendSignal(f.database.db, 'assembly_changed', 'after');
    await until(() => f.received.includes('after'), 2_000);
    expect(f.received).toEqual(['in-trx', 'after']);
  });

  it('splits a long id list into payloads under the NOTIFY limit', async () => {
    const ids = Array.from({ length: 500 }, (_, i) => `0190f000-0000-7000-8000-${String(i).padStart(12, '0')}`);
    const parts: string[] = [];
    const off = f.bus.on('session_revoked', (payload) => void parts.push(payload));
    await sendSignal(f.database.db, 'session_revoked', ids);
    await until(() => parts.join(',').split(',').length === ids.length, 2_000);
    off();
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThan(8_000);
    expect(parts.join(',').split(',')).toEqual(ids);
  });
});

describe('signal bus reconnect on postgres', () => {
  const f = busFixture('postgres', 'signals_reconnect');

  it('comes back after its connection is killed and asks handlers to re-check', async () => {
    const { rows } = await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`, [f.postgres!.name, SIGNAL_APPLICATION_NAME]);
    expect(rows).toHaveLength(1);
    await until(() => f.received.includes(RESYNC), 10_000);
    await sendSignal(f.database.db, 'assembly_changed', 'back');
    await until(() => f.received.includes('back'), 2_000);
  });
});
