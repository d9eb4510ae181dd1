// This node's `engine_nodes` row (data-model.md (d), §6): written at start and every 10 s; a sweep
// under the try-lock (1112494661, 7) clears the presence of nodes silent for 30 s and deletes them.

import { hostname } from 'node:os';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../../clock';
import type { Database } from '../../../db/schema';

export const NODE_DEAD_AFTER_MS = 30_000;

export interface EngineNode {
  readonly nodeId: string;
  /** Inserts or refreshes the row. */
  touch(): Promise<void>;
  /** Clears dead nodes' presence and rows; returns the dead node ids handled here. */
  sweep(): Promise<readonly string[]>;
  /** Graceful stop: the row goes (presence was cleared by the final flush). */
  remove(): Promise<void>;
}

export function createEngineNode(deps: { readonly db: Kysely<Database>; readonly clock: Clock; readonly nodeId: string; readonly role: string; readonly version: string }): EngineNode {
  const startedAt = deps.clock.now();
  return {
    nodeId: deps.nodeId,
    async touch() {
      const now = deps.clock.now();
      await deps.db
        .insertInto('engine_nodes')
        .values({ node_id: deps.nodeId, role: deps.role, host: hostname(), pid: process.pid, version: deps.version, started_at: startedAt, last_seen_at: now })
        .onConflict((oc) => oc.column('node_id').doUpdateSet({ last_seen_at: now }))
        .execute();
    },
    async sweep() {
      return deps.db.transaction().execute(async (trx) => {
        const locked = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(1112494661, 7) AS ok`.execute(trx);
        if (!locked.rows[0]?.ok) return [];
        const horizon = new Date(deps.clock.now().getTime() - NODE_DEAD_AFTER_MS);
        const dead = await trx.selectFrom('engine_nodes').select('node_id').where('last_seen_at', '<', horizon).where('node_id', '<>', deps.nodeId).execute();
        if (!dead.length) return [];
        const ids = dead.map((d) => d.node_id);
        await trx
          .updateTable('device_heartbeat_state')
          .set({ presence_node_id: null, presence_changed_at: deps.clock.now() })
          .where('presence_node_id', 'in', ids)
          .execute();
        await trx.deleteFrom('engine_nodes').where('node_id', 'in', ids).execute();
        return ids;
      });
    },
    async remove() {
      await deps.db.deleteFrom('engine_nodes').where('node_id', '=', deps.nodeId).execute();
    },
  };
}
