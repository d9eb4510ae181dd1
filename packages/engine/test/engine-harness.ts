// Starts a real engine for a test: its own BOREALIS_HOME in a temp directory, embedded PGlite or
// a fresh PostgreSQL database, port 0, no console output. Everything is removed in `close()`.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type EngineConfig } from '../src/config';
import { createEngine, type CreateEngineOptions, type Engine } from '../src/engine';
import { MIN_ARGON2_PARAMS } from '../src/domains/auth/factors/password-hasher';
import { createPostgresDatabase, type TestDialect, type TestPostgresDatabase } from './databases';

export interface TestEngine {
  readonly engine: Engine;
  readonly config: EngineConfig;
  readonly home: string;
  /** Base URL once listen() was asked for, else null. */
  readonly url: string | null;
  /** What the engine wrote to its stderr (the setup token banner). */
  stderr(): string;
  close(): Promise<void>;
}

export interface TestEngineOptions extends CreateEngineOptions {
  readonly dialect: TestDialect;
  readonly env?: Record<string, string>;
  readonly listen?: boolean;
  /** Reuse a home (restart tests). */
  readonly home?: string;
  /** Reuse a PostgreSQL database (restart and multi-engine tests). */
  readonly postgres?: TestPostgresDatabase;
}

export function makeHome(): string {
  return mkdtempSync(join(tmpdir(), 'borealis-test-'));
}

export async function startTestEngine(options: TestEngineOptions): Promise<TestEngine> {
  const home = options.home ?? makeHome();
  const ownsHome = options.home === undefined;
  const ownsDatabase = options.dialect === 'postgres' && options.postgres === undefined;
  const postgres = options.dialect === 'postgres' ? (options.postgres ?? (await createPostgresDatabase('engine'))) : undefined;
  const config = loadConfig({
    env: {
      BOREALIS_HOME: home,
      BOREALIS_PORT: '0',
      BOREALIS_LOG_LEVEL: 'info',
      ...(postgres ? { BOREALIS_DATABASE_URL: postgres.url } : {}),
      ...options.env,
    },
  });
  let engine: Engine;
  let stderrText = '';
  try {
    engine = await createEngine(config, {
      // The allowed minimum argon2 cost keeps sign-in tests quick; production uses the default.
      argon2: MIN_ARGON2_PARAMS,
      stderr: { write: (text: string) => (stderrText += text) },
      ...options,
    });
  } catch (err) {
    if (ownsDatabase) await postgres?.drop();
    if (ownsHome) rmSync(home, { recursive: true, force: true });
    throw err;
  }
  const url = options.listen ? await engine.listen() : null;
  return {
    engine,
    config,
    home,
    url,
    stderr: () => stderrText,
    async close() {
      await engine.stop();
      if (ownsDatabase) await postgres?.drop();
      if (ownsHome) rmSync(home, { recursive: true, force: true });
    },
  };
}
