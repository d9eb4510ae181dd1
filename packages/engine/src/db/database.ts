// Opens the engine database: PostgreSQL through node-postgres, or embedded PGlite, behind the
// same Kysely<Database> so every query runs unchanged on both.

import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { ServerBusyError } from '../errors';
import type { Database } from './schema';

export type Dialect = 'pglite' | 'postgres';

const INT8_OID = 20;
const BYTEA_OID = 17;

export interface EngineDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** Where LISTEN happens (db/signal-bus.ts): a URL for a dedicated connection, or the embedded instance. */
  readonly listenTarget: { readonly kind: 'postgres'; readonly url: string } | { readonly kind: 'pglite'; readonly pglite: PGlite };
  /** Round-trip time of `SELECT 1`, or throws when the database cannot answer. */
  ping(timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | {
      readonly kind: 'postgres';
      readonly url: string;
      /** BOREALIS_DATABASE_POOL_SIZE; the one-shot CLI commands keep the small default. */
      readonly poolSize?: number;
      /** BOREALIS_DATABASE_ACQUIRE_TIMEOUT_MS. */
      readonly acquireTimeoutMs?: number;
    }
  | { readonly kind: 'pglite'; readonly dataDir: string | null };

/** pg-pool's message when a caller waited `connectionTimeoutMillis` in the queue for a connection. */
const POOL_QUEUE_TIMEOUT = 'timeout exceeded when trying to connect';
/** Seconds an agent or browser is told to wait when the pool stayed exhausted (jittered so a burst spreads). */
const BUSY_RETRY_AFTER_S = { min: 1, max: 5 };

export async function openDatabase(target: DatabaseTarget): Promise<EngineDatabase> {
  return target.kind === 'postgres' ? openPostgres(target.url, target.poolSize ?? 10, target.acquireTimeoutMs ?? 5_000) : openPglite(target.dataDir);
}

async function openPostgres(url: string, poolSize: number, acquireTimeoutMs: number): Promise<EngineDatabase> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    options: '-c search_path=engine,public -c TimeZone=UTC',
    connectionTimeoutMillis: acquireTimeoutMs,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  // Nor may a checked-out client (a transaction or a held connection): its pending query rejects instead.
  pool.on('connect', (client) => client.on('error', () => undefined));
  // An exhausted pool is load, not a fault: the caller is told to come back (503 `server_busy`
  // with Retry-After) instead of a 500, so agents back off by §3.3 rather than count a failure.
  const kyselyPool = {
    options: pool.options,
    connect: () =>
      pool.connect().catch((err: unknown) => {
        if (err instanceof Error && err.message === POOL_QUEUE_TIMEOUT) {
          const retryAfter = BUSY_RETRY_AFTER_S.min + Math.floor(Math.random() * (BUSY_RETRY_AFTER_S.max - BUSY_RETRY_AFTER_S.min + 1));
          throw new ServerBusyError('The engine is busy: every database connection stayed in use; retry shortly', retryAfter);
        }
        throw err;
      }),
    end: () => pool.end(),
  };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: kyselyPool }) });
  return wrap(db, { kind: 'postgres', url });
}

async function openPglite(dataDir: string | null): Promise<EngineDatabase> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir ?? 'memory://', {
    extensions: { pg_trgm },
    // Read values exactly as node-postgres does, so code sees one shape on both dialects.
    parsers: {
      [INT8_OID]: (value: string) => value,
      [BYTEA_OID]: (value: string) => Buffer.from(value.slice(2), 'hex'),
    },
  });
  const db = new Kysely<Database>({
    dialect: new PGliteDialect({
      pglite,
      onCreateConnection: async (connection) => {
        await connection.executeQuery(sql`SET search_path = engine, public`.compile(db));
        await connection.executeQuery(sql`SET TimeZone = 'UTC'`.compile(db));
      },
    }),
  });
  return wrap(db, { kind: 'pglite', pglite });
}

function wrap(db: Kysely<Database>, listenTarget: EngineDatabase['listenTarget']): EngineDatabase {
  let closed = false;
  return {
    db,
    dialect: listenTarget.kind,
    listenTarget,
    async ping(timeoutMs = 2_000) {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          sql`SELECT 1`.execute(db),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('database did not answer in time')), timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
      return performance.now() - started;
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
