// Sign-in throttling (security.md §6): failure counters shared by all nodes in auth_throttle, with
// backoff and lockout per account and per address, plus per-node request budgets in memory.

import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Clock } from '../../clock';
import { RateLimitedError } from '../../errors';
import type { DbExecutor } from '../audit/audit-log';

const MINUTE = 60_000;
const LOCK_MS = 15 * MINUTE;
const DAY_MS = 24 * 60 * MINUTE;

export type FailureRule = 'account' | 'address';

export function accountKey(username: string): string {
  return `acct:${createHash('sha256').update(username.normalize('NFC').toLowerCase()).digest('hex')}`;
}

/** IPv6 addresses count by /64, so one host cannot rotate through its prefix. */
export function addressKey(ip: string, prefix = 'ip'): string {
  const bare = ip.replace(/^::ffff:/, '');
  if (isIPv6(bare)) {
    const groups = expandIpv6(bare).slice(0, 4).join(':');
    return `${prefix}:${groups}::/64`;
  }
  return `${prefix}:${bare}`;
}

function expandIpv6(ip: string): string[] {
  const [head, tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  return [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
}

export interface LockoutOutcome {
  readonly locked: boolean;
  readonly until: Date | null;
}

export function createFailureThrottle(deps: { clock: Clock }) {
  const secondsUntil = (t: Date, now: Date) => Math.max(1, Math.ceil((t.getTime() - now.getTime()) / 1000));

  return {
    /** Throws 429 when any key is locked or still inside its backoff. Credentials are not checked then. */
    async check(db: DbExecutor, keys: Array<{ key: string; rule: FailureRule }>): Promise<void> {
      if (!keys.length) return;
      const now = deps.clock.now();
      const rows = await db.selectFrom('auth_throttle').selectAll().where('key', 'in', keys.map((k) => k.key)).execute();
      let wait = 0;
      for (const row of rows) {
        if (row.locked_until && row.locked_until > now) wait = Math.max(wait, secondsUntil(row.locked_until, now));
        const rule = keys.find((k) => k.key === row.key)?.rule;
        if (rule === 'account' && row.last_failure_at && now.getTime() - row.last_failure_at.getTime() < LOCK_MS) {
          const f = row.failures;
          if (f >= 5 && f <= 9) {
            const next = new Date(row.last_failure_at.getTime() + 2 ** (f - 5) * 1000);
            if (next > now) wait = Math.max(wait, secondsUntil(next, now));
          }
        }
      }
      if (wait > 0) throw new RateLimitedError(wait);
    },

    /** Counts one failure; returns whether it just locked the key. */
    async fail(db: DbExecutor, key: string, rule: FailureRule): Promise<LockoutOutcome> {
      const now = deps.clock.now();
      const row = await db.selectFrom('auth_throttle').selectAll().where('key', '=', key).forUpdate().executeTakeFirst();
      const window = rule === 'account' ? LOCK_MS : 10 * MINUTE;
      const stale = !row?.last_failure_at || now.getTime() - row.last_failure_at.getTime() >= window;
      let failures = (stale ? 0 : row!.failures) + 1;
      let lockedUntil = row?.locked_until ?? null;
      let lockCount = row?.lock_count ?? 0;
      let locked = false;
      const threshold = rule === 'account' ? 10 : 20;
      if (failures >= threshold) {
        const recentLock = row?.locked_until && now.getTime() - row.locked_until.getTime() < DAY_MS;
        lockCount = rule === 'account' && recentLock ? lockCount + 1 : 1;
        const duration = rule === 'account' ? Math.min(DAY_MS, LOCK_MS * 2 ** (lockCount - 1)) : LOCK_MS;
        lockedUntil = new Date(now.getTime() + duration);
        failures = 0;
        locked = true;
      }
      await db
        .insertInto('auth_throttle')
        .values({ key, failures, last_failure_at: now, locked_until: lockedUntil, lock_count: lockCount, updated_at: now })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({ failures, last_failure_at: now, locked_until: lockedUntil, lock_count: lockCount, updated_at: now }),
        )
        .execute();
      return { locked, until: locked ? lockedUntil : null };
    },

    /** A success resets the account's count (not its lock history). */
    async succeed(db: DbExecutor, key: string): Promise<void> {
      await db.updateTable('auth_throttle').set({ failures: 0, updated_at: deps.clock.now() }).where('key', '=', key).execute();
    },
  };
}

export type FailureThrottle = ReturnType<typeof createFailureThrottle>;

/** Per-node fixed-window request budgets (bootstrap 10/min, sign-in 30/min per address). */
export function createRequestBudgets(deps: { clock: Clock }) {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(key: string, limit: number, windowMs = MINUTE): void {
      const now = deps.clock.now().getTime();
      const w = windows.get(key);
      if (!w || now - w.start >= windowMs) {
        windows.set(key, { start: now, count: 1 });
        if (windows.size > 50_000) for (const [k, v] of windows) if (now - v.start >= windowMs) windows.delete(k);
        return;
      }
      w.count += 1;
      if (w.count > limit) throw new RateLimitedError(Math.max(1, Math.ceil((w.start + windowMs - now) / 1000)));
    },
  };
}

export type RequestBudgets = ReturnType<typeof createRequestBudgets>;
