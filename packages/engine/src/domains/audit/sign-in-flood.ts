// Flood control for the audit trail (security.md §9.1): past 100 failed sign-ins from one address
// in a clock minute, further failures from it are not written one by one but summarised as one
// `auth.rate_limited {count}` row per address and minute. Per node, in memory.

import type { Clock } from '../../clock';
import { SYSTEM_ACTOR, type AuditLog, type DbExecutor } from './audit-log';

const MINUTE_MS = 60_000;

export interface SignInFloodOptions {
  readonly clock: Clock;
  readonly audit: AuditLog;
  /** Failures per address and minute still written one by one (100). */
  readonly threshold?: number;
}

export interface SignInFloodControl {
  /**
   * Counts one failed sign-in from the client `address` (IPv6 by its /64). True: write its
   * `auth.login.failed` row as usual; false: it is counted into the minute's summary instead.
   */
  noteFailure(address: string): boolean;
  /** Writes the summary row of every ended minute that had suppressed failures; returns how many. */
  flush(executor: DbExecutor): Promise<number>;
}

interface Window {
  readonly address: string;
  readonly minute: number;
  failures: number;
}

export function createSignInFloodControl(options: SignInFloodOptions): SignInFloodControl {
  const threshold = options.threshold ?? 100;
  /** Keyed by minute and address; past minutes stay only while they owe a summary. */
  const windows = new Map<string, Window>();
  let lastMinute = -1;
  const currentMinute = () => Math.floor(options.clock.now().getTime() / MINUTE_MS);

  return {
    noteFailure(address) {
      const minute = currentMinute();
      if (minute !== lastMinute) {
        lastMinute = minute;
        for (const [key, w] of windows) if (w.minute < minute && w.failures <= threshold) windows.delete(key);
      }
      const key = `${minute} ${address}`;
      let w = windows.get(key);
      if (!w) {
        w = { address, minute, failures: 0 };
        windows.set(key, w);
      }
      w.failures += 1;
      return w.failures <= threshold;
    },

    async flush(executor) {
      const minute = currentMinute();
      let written = 0;
      for (const [key, w] of [...windows]) {
        if (w.minute >= minute) continue;
        const count = w.failures - threshold;
        if (count > 0) {
          await options.audit.record(
            executor,
            { ...SYSTEM_ACTOR, type: 'anonymous', name: null, ip: w.address },
            { action: 'auth.rate_limited', outcome: 'failure', details: { count, minute: new Date(w.minute * MINUTE_MS).toISOString() } },
          );
          written += 1;
        }
        windows.delete(key);
      }
      return written;
    },
  };
}
