// The `borealis` command line: start [--role], migrate, config, version, --help.
// Exit codes: 0 ok, 1 runtime failure, 2 bad configuration or usage.

import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { ConfigError, describeConfig, loadConfig, type EngineConfig } from '../config';
import { openDatabase } from '../db/database';
import { migrateToLatest, SchemaError } from '../db/migrate';
import { createEngine, type Engine } from '../engine';
import { createLoggers } from '../log/loggers';
import { runtimePaths } from '../runtime-paths';
import { systemClock } from '../clock';
import { ENGINE_VERSION } from '../version';
import { createInterface } from 'node:readline/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { AppError } from '../errors';
import { createAuditLog } from '../domains/audit/audit-log';
import { forceReset, FORCE_RESET_PHRASE } from '../domains/aegis/force-reset';
import { createSetupTokens, formatSetupTokenBanner, type SetupTokens } from '../domains/bootstrap/setup-token';

const HELP = `borealis ${ENGINE_VERSION} — Borealis Engine

Usage: borealis <command> [options]

Commands:
  start [--role all|api|scheduler|site-worker]   run the engine (default role: all)
        [--site <id>]                            the site a site worker serves
  migrate                                        apply pending database migrations and exit
  config                                         print the effective configuration (secrets redacted)
  setup-token [--rotate]                         print the first-run setup token (or replace it)
  aegis force-reset [--confirm "FORCE RESET"]    destroy every protected secret (lost passphrase);
                                                 works while the engine is locked or stopped
  version                                        print the version
  help, --help                                   show this help

Configuration comes from BOREALIS_* environment variables, then
<BOREALIS_HOME>/Deploy/runtime.env, then defaults. See README.md.
`;

const SHUTDOWN_GRACE_MS = 10_000;

class UsageError extends Error {}

export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        role: { type: 'string' },
        site: { type: 'string' },
        confirm: { type: 'string' },
        rotate: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    return fail(2, (err as Error).message);
  }
  const { values, positionals } = parsed;
  const command = values.help ? 'help' : values.version ? 'version' : (positionals[0] ?? 'help');
  try {
    switch (command) {
      case 'help':
        process.stdout.write(HELP);
        return 0;
      case 'version':
        process.stdout.write(`${ENGINE_VERSION}\n`);
        return 0;
      case 'config':
        return printConfig(loadConfig());
      case 'migrate':
        return await migrate(loadConfig());
      case 'setup-token':
        return await withSecurityTools(loadConfig(), async (tools) => {
          const token = values.rotate ? await tools.setupTokens.issue(tools.db) : tools.setupTokens.current();
          if (!token) return fail(1, 'no unconsumed setup token: an admin can already sign in (use --rotate to issue one anyway)');
          process.stdout.write(`${token}\n`);
          return 0;
        });
      case 'aegis':
        if (positionals[1] !== 'force-reset') throw new UsageError(`unknown aegis command "${positionals[1] ?? ''}"; run borealis --help`);
        return await withSecurityTools(loadConfig(), async (tools) => {
          const confirm = values.confirm ?? (await ask(`This destroys every Aegis-protected secret. Type ${FORCE_RESET_PHRASE} to continue: `));
          const result = await forceReset(tools, confirm, { type: 'system', id: null, name: 'cli', ip: null, requestId: null });
          process.stdout.write(`${JSON.stringify(result, null, 2)}\nA new setup token was issued (see stderr above). Start the engine and set up Aegis again.\n`);
          return 0;
        });
      case 'start':
        return await start(loadConfig({ overrides: values.role !== undefined ? { BOREALIS_ROLE: values.role } : {} }), siteOption(values.site));
      default:
        throw new UsageError(`unknown command "${command}"; run borealis --help`);
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError) return fail(2, err.message);
    if (err instanceof SchemaError) return fail(1, err.message);
    if (err instanceof AppError) return fail(2, err.message);
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      return fail(1, 'the port is already in use (BOREALIS_PORT); stop the other process or choose another port');
    }
    return fail(1, `start-up failed: ${(err as Error).message}`);
  }
}

function printConfig(config: EngineConfig): number {
  const rows = describeConfig(config);
  const width = Math.max(...rows.map((r) => r.variable.length));
  for (const row of rows) process.stdout.write(`${row.variable.padEnd(width)}  ${row.value || '(unset)'}  [${row.source}]\n`);
  return 0;
}

async function migrate(config: EngineConfig): Promise<number> {
  const paths = runtimePaths(config.home, 'api');
  const loggers = createLoggers({ dir: paths.logs, level: config.logLevel, clock: systemClock, console: true });
  const database = await openDatabase(config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'pglite', dataDir: paths.pgliteState });
  try {
    const result = await migrateToLatest(database, { log: loggers.root });
    process.stdout.write(result.applied.length ? `applied: ${result.applied.join(', ')}\n` : `up to date (${result.latest})\n`);
    return 0;
  } finally {
    await database.close();
    loggers.close();
  }
}

interface SecurityTools {
  readonly db: Kysely<Database>;
  readonly clock: typeof systemClock;
  readonly audit: ReturnType<typeof createAuditLog>;
  readonly setupTokens: SetupTokens;
}

/** Database access for the offline security commands (the engine may be stopped or locked). */
async function withSecurityTools(config: EngineConfig, run: (tools: SecurityTools) => Promise<number>): Promise<number> {
  const paths = runtimePaths(config.home, 'api');
  const database = await openDatabase(config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'pglite', dataDir: paths.pgliteState });
  try {
    const file = join(paths.secrets, 'setup_token.txt');
    const setupTokens = createSetupTokens({ file, clock: systemClock, print: (token) => process.stderr.write(formatSetupTokenBanner(token, file)) });
    return await run({ db: database.db, clock: systemClock, audit: createAuditLog({ clock: systemClock }), setupTokens });
  } finally {
    await database.close();
  }
}

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

function siteOption(site: string | undefined): number | undefined {
  if (site === undefined) return undefined;
  if (!/^\d{1,9}$/.test(site)) throw new UsageError('--site must be a site id (0 = devices without a site)');
  return Number(site);
}

async function start(config: EngineConfig, siteId?: number): Promise<number> {
  // Listen for signals before anything starts, so a stop requested during start-up is honoured.
  const signalled = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  if (config.role === 'site-worker' && siteId === undefined) throw new UsageError('role site-worker needs --site <id>');
  const engine = await createEngine(config, { console: true, siteId, workerId: config.role === 'site-worker' ? randomUUID() : undefined });
  await engine.listen();
  // A site worker ends by itself after 60 s without work (automation.md §4.5).
  const signal = await Promise.race([signalled, engine.done?.then(() => 'idle') ?? new Promise<string>(() => {})]);
  engine.ctx.log.info({ signal }, 'shutdown requested');
  return shutdown(engine);
}

async function shutdown(engine: Engine): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), SHUTDOWN_GRACE_MS);
  });
  const result = await Promise.race([engine.stop().then(() => 'done' as const), timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') {
    const step = engine.stopStep?.();
    process.stderr.write(`borealis: shutdown did not finish within ${SHUTDOWN_GRACE_MS / 1000} s${step ? ` (still in its ${step} step)` : ''}; exiting\n`);
    return 1;
  }
  return 0;
}

function fail(code: number, message: string): number {
  process.stderr.write(`borealis: ${message}\n`);
  return code;
}

const exitCode = await main(process.argv.slice(2));
process.exit(exitCode);
