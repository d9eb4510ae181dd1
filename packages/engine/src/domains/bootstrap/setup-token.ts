// The one-time setup token (security.md §2.3): proof for first-run bootstrap. Only its SHA-256 is
// stored; the token itself lives in secrets/setup_token.txt (0600) and is printed to stderr, never
// through the logger.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '../../clock';
import { AppError } from '../../errors';
import { ensureDir } from '../../runtime-paths';
import type { DbExecutor } from '../audit/audit-log';

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();

export interface SetupTokens {
  /** At start: issue or reprint the token when no admin can sign in. Returns what happened. */
  ensure(db: DbExecutor, needed: boolean): Promise<'issued' | 'reprinted' | 'none'>;
  /** Throws setup_token_required / setup_token_invalid. */
  verify(db: DbExecutor, presented: string | undefined): Promise<void>;
  consume(db: DbExecutor): Promise<void>;
  /** Replace any token with a fresh one (force reset, `borealis setup-token --rotate`). */
  issue(db: DbExecutor): Promise<string>;
  /** The unconsumed token from its file, if any. */
  current(): string | null;
}

export function createSetupTokens(deps: { file: string; clock: Clock; print: (token: string) => void }): SetupTokens {
  const readFile = () => (existsSync(deps.file) ? readFileSync(deps.file, 'utf8').trim() : null);

  const issue = async (db: DbExecutor) => {
    const token = randomBytes(32).toString('base64url');
    ensureDir(dirname(deps.file), { secret: true });
    writeFileSync(deps.file, `${token}\n`, { mode: 0o600 });
    const now = deps.clock.now();
    await db
      .insertInto('engine_bootstrap')
      .values({ id: 1, setup_token_hash: digest(token), issued_at: now, consumed_at: null })
      .onConflict((oc) => oc.column('id').doUpdateSet({ setup_token_hash: digest(token), issued_at: now, consumed_at: null }))
      .execute();
    deps.print(token);
    return token;
  };

  return {
    issue,
    current: readFile,
    async ensure(db, needed) {
      const row = await db.selectFrom('engine_bootstrap').selectAll().where('id', '=', 1).executeTakeFirst();
      const onFile = readFile();
      if (row && !row.consumed_at && onFile && digest(onFile).equals(row.setup_token_hash)) {
        deps.print(onFile);
        return 'reprinted';
      }
      if (needed || (row && !row.consumed_at)) {
        await issue(db);
        return 'issued';
      }
      return 'none';
    },
    async verify(db, presented) {
      if (!presented) throw new AppError('setup_token_required', 'This step needs the setup token the engine printed at start (also in secrets/setup_token.txt)');
      const row = await db.selectFrom('engine_bootstrap').select(['setup_token_hash', 'consumed_at']).where('id', '=', 1).executeTakeFirst();
      const given = digest(presented);
      if (!row || row.consumed_at || !timingSafeEqual(given, row.setup_token_hash)) {
        throw new AppError('setup_token_invalid', 'The setup token is not valid');
      }
    },
    async consume(db) {
      await db.updateTable('engine_bootstrap').set({ consumed_at: deps.clock.now() }).where('id', '=', 1).execute();
      rmSync(deps.file, { force: true });
    },
  };
}

/** The framed console message for a new or reprinted token (stderr only). */
export function formatSetupTokenBanner(token: string, file: string): string {
  const lines = [
    'Borealis first-run setup token (needed once, to set up Aegis and the first admin):',
    '',
    `    ${token}`,
    '',
    `It is also kept in ${file} until it is used.`,
  ];
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const bar = '='.repeat(width);
  return `\n${bar}\n${lines.map((l) => `  ${l}`).join('\n')}\n${bar}\n\n`;
}
