// The log viewer's rules: retention settings live in server_settings (key `log_retention`, a map
// `<service>:<file>` → days, default 30); rolled files older than their setting are removed when
// the list is read. Changes are audited in the same transaction as the settings write.

import type { Kysely } from 'kysely';
import type { LogEntriesQuery, LogList, LogRetentionBody } from '@borealis/protocol';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { AppError } from '../../errors';
import type { Actor, AuditLog } from '../audit/audit-log';
import { baseName, type LogFiles } from './log-files';

export const DEFAULT_LOG_RETENTION_DAYS = 30;
const KEY = 'log_retention';

export interface LogServiceDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly files: LogFiles;
  readonly logRoot: string;
}

export function createLogService(deps: LogServiceDeps) {
  const { db, clock, audit, files } = deps;

  async function overrides(): Promise<Record<string, number>> {
    const row = await db.selectFrom('server_settings').select('value').where('key', '=', KEY).executeTakeFirst();
    const value = row?.value;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(value)) if (typeof v === 'number') out[k] = v;
    return out;
  }

  return {
    async list(): Promise<LogList> {
      const o = await overrides();
      const { logs, deleted } = files.list((name) => o[name] ?? DEFAULT_LOG_RETENTION_DAYS);
      return { log_root: deps.logRoot, logs, default_retention_days: DEFAULT_LOG_RETENTION_DAYS, retention_overrides: o, retention_deleted: deleted };
    },

    entries: (name: string, query: LogEntriesQuery) => files.read(name, query),

    async setRetention(actor: Actor, body: LogRetentionBody): Promise<LogList> {
      const pairs = Array.isArray(body.retention) ? body.retention.map((r) => [r.file, r.days] as const) : Object.entries(body.retention);
      const known = new Set(files.names().map(baseName));
      for (const [file] of pairs) {
        if (!known.has(file)) throw new AppError('not_found', `no such log file: ${file}`);
      }
      const next = { ...(await overrides()) };
      for (const [file, days] of pairs) next[file] = days;
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('server_settings')
          .values({ key: KEY, value: JSON.stringify(next), updated_at: now, updated_by_user_id: actor.type === 'user' ? actor.id : null })
          .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), updated_at: now, updated_by_user_id: eb.ref('excluded.updated_by_user_id'), version: eb('server_settings.version', '+', 1) })))
          .execute();
        await audit.record(trx, actor, { action: 'server.log_retention_changed', targetType: 'server_setting', targetId: KEY, details: { retention: Object.fromEntries(pairs) } });
      });
      return this.list();
    },

    async remove(actor: Actor, name: string) {
      const result = files.remove(name);
      await audit.record(db, actor, { action: 'server.log_deleted', targetType: 'log_file', targetId: name, details: result });
      return { file: name, ...result };
    },
  };
}

export type LogService = ReturnType<typeof createLogService>;
