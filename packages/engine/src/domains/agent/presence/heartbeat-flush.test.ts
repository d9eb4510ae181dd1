// Conformance DM7 (data-model.md §7) at test scale: agents beating on real /agent sockets for 120 s
// of injected time cost at most 2 UPDATE statements on device_heartbeat_state per 10 s flush, no
// INSERT and no write to devices, and last_seen_at stays within 70 s of each device's last beat.
// The statement count per flush does not grow with the agent count (one UPDATE per 5,000 rows);
// the 10,000-agent figure itself is measured by `npm run bench -- hold`.

import { sql } from 'kysely';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../../clock';
import { DIALECTS } from '../../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../../test/engine-harness';
import { connectAgent, TestAgent } from '../../../../test/test-agent';

const AGENTS = 40;

describe.each(DIALECTS)('heartbeat flush cost (%s)', (dialect) => {
  const clock = createManualClock('2026-11-26T06:00:00Z');
  let t: TestEngine;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    t = await startTestEngine({ dialect, listen: true, clock, agent: { loops: false } });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.close();
  });

  it('DM7: per 10 s flush at most 2 UPDATEs on device_heartbeat_state, no INSERT, no write to devices; last_seen_at within 70 s of the last beat', async () => {
    const db = t.engine.ctx.db;
    const runtime = t.engine.ctx.agents!;
    const agents = await Promise.all(Array.from({ length: AGENTS }, () => TestAgent.create(t)));
    for (const a of agents) sockets.push((await connectAgent(t.url!, a)).socket);
    await runtime.flush();

    // Statement-level triggers count every statement (even one touching no row) on both tables.
    await sql`CREATE TABLE dm7_statements (tbl text NOT NULL, op text NOT NULL)`.execute(db);
    await sql`CREATE FUNCTION dm7_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO dm7_statements VALUES (TG_TABLE_NAME, TG_OP); RETURN NULL; END $$`.execute(db);
    for (const table of ['device_heartbeat_state', 'devices']) {
      await sql`CREATE TRIGGER dm7_count AFTER INSERT OR UPDATE OR DELETE ON ${sql.table(table)} FOR EACH STATEMENT EXECUTE FUNCTION dm7_count()`.execute(db);
    }
    const takeStatements = async () => {
      const { rows } = await sql<{ tbl: string; op: string }>`DELETE FROM dm7_statements RETURNING tbl, op`.execute(db);
      return rows.map((r) => `${r.tbl}:${r.op}`);
    };

    const lastBeat = new Map<string, number>();
    let seq = 0;
    let updates = 0;
    for (let step = 1; step <= 12; step++) {
      clock.advance(10_000);
      seq += 1;
      // A 20 s interval, staggered: half of the agents beat on odd steps, half on even ones.
      await Promise.all(
        agents.map(async (a, i) => {
          if (i % 2 !== step % 2) return;
          const ack = (await sockets[i]!.timeout(5_000).emitWithAck('agent_heartbeat', a.heartbeat(seq, { metrics: { ...(a.heartbeat(seq).metrics as object), cpu_percent: step } }))) as { ok: boolean };
          expect(ack.ok).toBe(true);
          lastBeat.set(a.rowGuid, clock.now().getTime());
        }),
      );
      runtime.tick();
      await runtime.flush();
      const statements = await takeStatements();
      expect(statements.filter((s) => s === 'device_heartbeat_state:UPDATE').length).toBeLessThanOrEqual(2);
      expect(statements.filter((s) => s !== 'device_heartbeat_state:UPDATE')).toEqual([]);
      updates += statements.length;

      const rows = await db.selectFrom('device_heartbeat_state').select(['device_guid', 'last_seen_at', 'presence_node_id']).where('device_guid', 'in', agents.map((a) => a.rowGuid)).execute();
      for (const row of rows) {
        const beat = lastBeat.get(row.device_guid);
        if (beat === undefined) continue;
        expect(row.last_seen_at).not.toBeNull();
        expect(beat - row.last_seen_at!.getTime()).toBeLessThanOrEqual(70_000);
        expect(row.presence_node_id).toBe(runtime.nodeId);
      }
    }
    expect(lastBeat.size).toBe(AGENTS);
    // The counting works: last_seen_at moved by ≥60 s several times in 120 s, so flushes did write.
    expect(updates).toBeGreaterThan(0);
  });
});
