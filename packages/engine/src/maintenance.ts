// Periodic housekeeping of the api role until the scheduler takes such work over (data-model.md §5):
// expired or used sign-in tickets and WebAuthn challenges, ended sessions, idle throttle rows, spent
// DPoP replay keys, expired idempotency keys, spent and dead refresh tokens, orphaned output chunks;
// the sign-in flood summary; the daily audit sweep. Each pass takes a try-lock so nodes do not repeat it.

import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from './clock';
import type { Database } from './db/schema';
import { sweepAuditEvents } from './domains/audit/audit-retention';
import { purgeExpired as purgeDpopReplay } from './domains/devices/trust/dpop-replay-store';
import { sweepApprovals, SWEEP_INTERVAL_MS as TEN_MINUTE_PASS_MS } from './domains/approvals/approval-sweep';
import type { DeviceEvents } from './domains/devices/device-events';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** data-model.md §5: deletes go by primary key in batches, each its own short statement. */
const BATCH = 5_000;
const MAX_BATCHES = 200;

/** Deletes `table` rows whose `id` the `ids` query selects (LIMIT BATCH), batch after batch. */
async function deleteInBatches(conn: Kysely<Database>, table: 'refresh_tokens' | 'activity_output_chunks', ids: ReturnType<typeof sql<{ id: string }>>): Promise<number> {
  let removed = 0;
  for (let i = 0; i < MAX_BATCHES; i += 1) {
    const result = await sql`DELETE FROM ${sql.table(table)} WHERE id IN (${ids} LIMIT ${BATCH})`.execute(conn);
    const n = Number(result.numAffectedRows ?? 0);
    removed += n;
    if (n < BATCH) break;
  }
  return removed;
}

export interface Maintenance {
  /** One pass of every minute-level task (tests call it directly). */
  runMinutely(): Promise<void>;
  runDaily(): Promise<number>;
  start(): void;
  stop(): void;
}

export function createMaintenance(deps: {
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  auditRetentionDays: number;
  flushFlood: (db: Kysely<Database>) => Promise<number>;
  /** Told when the approval sweep expired rows (the queue badge changes). */
  deviceEvents?: Pick<DeviceEvents, 'emit'>;
}): Maintenance {
  const { db, clock, log } = deps;
  const timers: NodeJS.Timeout[] = [];
  // The 10-minute pass (approval sweep, agent-protocol §2.2; refresh-token and chunk retention,
  // data-model.md §5) runs every 10 min of the engine clock, from the minutely pass.
  let lastTenMinutePassMs = Number.NEGATIVE_INFINITY;

  /** Runs `work` on the locking connection itself: on PGlite another query would wait on it. */
  async function withTryLock(n: number, work: (conn: Kysely<Database>) => Promise<void>): Promise<void> {
    await db.connection().execute(async (conn) => {
      const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(1112494661, ${100 + n}) AS ok`.execute(conn);
      if (!rows[0]?.ok) return;
      try {
        await work(conn);
      } finally {
        await sql`SELECT pg_advisory_unlock(1112494661, ${100 + n})`.execute(conn);
      }
    });
  }

  const guard = (name: string, task: () => Promise<unknown>) => () => {
    task().catch((err: unknown) => log.warn({ err, task: name }, 'maintenance task failed'));
  };

  const api: Maintenance = {
    async runMinutely() {
      await deps.flushFlood(db);
      await withTryLock(1, async (conn) => {
        const now = clock.now();
        await conn.deleteFrom('auth_tickets').where((eb) => eb.or([eb('expires_at', '<', now), eb('used_at', 'is not', null)])).execute();
        await conn.deleteFrom('webauthn_challenges').where((eb) => eb.or([eb('expires_at', '<', now), eb('used_at', 'is not', null)])).execute();
        await conn.deleteFrom('idempotency_keys').where('expires_at', '<', now).execute();
        await conn
          .deleteFrom('operator_sessions')
          .where(sql<boolean>`coalesce(revoked_at, least(idle_expires_at, absolute_expires_at)) < ${new Date(now.getTime() - 7 * DAY)}`)
          .execute();
        await purgeDpopReplay(conn, now);
        await conn.deleteFrom('auth_throttle').where('updated_at', '<', new Date(now.getTime() - DAY)).where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)])).execute();
      });
      if (clock.now().getTime() - lastTenMinutePassMs >= TEN_MINUTE_PASS_MS) {
        lastTenMinutePassMs = clock.now().getTime();
        await withTryLock(4, async (conn) => {
          const now = clock.now();
          // Spent tokens (used, with a child) 24 h after use: presented later they answer
          // invalid_refresh_token and the agent reauths. Revoked or expired families 30 d later.
          const refresh = await deleteInBatches(
            conn,
            'refresh_tokens',
            sql<{ id: string }>`SELECT r.id FROM refresh_tokens r WHERE (r.used_at < ${new Date(now.getTime() - DAY)} AND EXISTS (SELECT 1 FROM refresh_tokens c WHERE c.parent_id = r.id))
              OR r.revoked_at < ${new Date(now.getTime() - 30 * DAY)} OR r.expires_at < ${new Date(now.getTime() - 30 * DAY)}`,
          );
          // Chunks go with their result; these lost theirs (the execution never finished here).
          const chunks = await deleteInBatches(conn, 'activity_output_chunks', sql<{ id: string }>`SELECT id FROM activity_output_chunks WHERE created_at < ${new Date(now.getTime() - DAY)}`);
          if (refresh || chunks) log.info({ refresh_tokens: refresh, output_chunks: chunks }, 'retention sweep');
        });
        await withTryLock(3, async (conn) => {
          const swept = await sweepApprovals(conn, clock.now());
          if (swept.expired || swept.deleted || swept.failuresDeleted) log.info(swept, 'approval sweep');
          if (swept.expired && deps.deviceEvents) {
            const { n } = await conn.selectFrom('device_approvals').select(sql<string>`count(*)`.as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
            deps.deviceEvents.emit('approvals_changed', { pending_count: Number(n) });
          }
        });
      }
    },
    async runDaily() {
      let removed = 0;
      await withTryLock(2, async (conn) => {
        removed = await sweepAuditEvents(conn, { now: clock.now(), retentionDays: deps.auditRetentionDays });
        if (removed) log.info({ removed }, 'audit retention sweep');
      });
      return removed;
    },
    start() {
      timers.push(setInterval(guard('minutely', () => api.runMinutely()), MINUTE).unref());
      timers.push(setTimeout(guard('daily', () => api.runDaily()), 5 * MINUTE).unref());
      timers.push(setInterval(guard('daily', () => api.runDaily()), DAY).unref());
    },
    stop() {
      for (const t of timers.splice(0)) clearInterval(t);
    },
  };
  return api;
}
