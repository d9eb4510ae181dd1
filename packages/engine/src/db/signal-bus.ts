// Cross-node signals (data-model.md §2 and §6, security.md §3.7 and §5.1): NOTIFY goes through the
// caller's executor, so a signal sent inside a transaction leaves on commit; each api node listens
// on one dedicated PostgreSQL connection that reconnects, or, embedded, on PGlite's own notifications.
// Signals only speed things up: receivers re-check the database, and after a reconnect (signals may
// have been missed) every handler runs once with the payload `*`.

import { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { DbExecutor } from '../domains/audit/audit-log';
import type { EngineDatabase } from './database';

export const SIGNAL_CHANNELS = ['session_revoked', 'aegis_state_changed', 'assembly_changed', 'device_token_keys_changed'] as const;
export type SignalChannel = (typeof SIGNAL_CHANNELS)[number];

/** The LISTEN connection's application_name (visible in pg_stat_activity). */
export const SIGNAL_APPLICATION_NAME = 'borealis-signals';
/** Every handler gets this after a (re)connect: anything may have changed meanwhile. */
export const RESYNC = '*';
/** NOTIFY payloads must stay under 8000 bytes; id lists are split below that. */
const MAX_PAYLOAD = 7_000;
const PING_MS = 30_000;
const BACKOFF_MS = [250, 500, 1_000, 2_000, 5_000, 10_000] as const;

export type SignalHandler = (payload: string) => void | Promise<void>;

export interface SignalBus {
  /** Subscribes; returns the unsubscribe. */
  on(channel: SignalChannel, handler: SignalHandler): () => void;
  /** Resolves once the node listens (the first connection; later ones reconnect in the background). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Sends a signal through `db` (inside a transaction: on commit). Ids are joined with commas and split to fit. */
export async function sendSignal(db: DbExecutor, channel: SignalChannel, payload: string | readonly string[] = ''): Promise<void> {
  for (const part of typeof payload === 'string' ? [payload] : chunkIds(payload)) {
    await sql`SELECT pg_notify(${channel}, ${part})`.execute(db);
  }
}

function chunkIds(ids: readonly string[]): string[] {
  const parts: string[] = [];
  let current = '';
  for (const id of ids) {
    if (current && current.length + id.length + 1 > MAX_PAYLOAD) {
      parts.push(current);
      current = '';
    }
    current = current ? `${current},${id}` : id;
  }
  if (current) parts.push(current);
  return parts;
}

export function createSignalBus(deps: { database: Pick<EngineDatabase, 'listenTarget'>; log: Logger }): SignalBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(50);
  const log = deps.log.child({ svc: 'signals' });
  const dispatch = (channel: string, payload: string) => {
    for (const handler of emitter.listeners(channel) as SignalHandler[]) {
      Promise.resolve()
        .then(() => handler(payload))
        .catch((err: unknown) => log.warn({ err, channel }, 'signal handler failed'));
    }
  };
  const resync = () => {
    for (const channel of SIGNAL_CHANNELS) dispatch(channel, RESYNC);
  };
  const listener = deps.database.listenTarget.kind === 'postgres' ? postgresListener(deps.database.listenTarget.url, dispatch, resync, log) : null;
  const target = deps.database.listenTarget;
  let unlisten: Array<() => Promise<void>> = [];

  return {
    on(channel, handler) {
      emitter.on(channel, handler);
      return () => emitter.off(channel, handler);
    },
    async start() {
      if (listener) return listener.start();
      if (target.kind === 'pglite') {
        // One process owns an embedded database: PGlite delivers its own NOTIFYs after commit.
        unlisten = await Promise.all(SIGNAL_CHANNELS.map((channel) => target.pglite.listen(channel, (payload) => dispatch(channel, payload))));
      }
    },
    async close() {
      emitter.removeAllListeners();
      if (listener) return listener.close();
      await Promise.allSettled(unlisten.map((u) => u()));
      unlisten = [];
    },
  };
}

/** One LISTEN connection per node, reconnected with backoff; a 30 s ping catches a silently dead socket. */
function postgresListener(url: string, dispatch: (channel: string, payload: string) => void, resync: () => void, log: Logger) {
  let client: pg.Client | null = null;
  let closed = false;
  let attempt = 0;
  let retry: NodeJS.Timeout | undefined;
  let ping: NodeJS.Timeout | undefined;
  let connects = 0;

  const drop = (c: pg.Client, reason: unknown) => {
    if (client !== c) return;
    client = null;
    clearInterval(ping);
    c.removeAllListeners('notification');
    void c.end().catch(() => undefined);
    if (closed) return;
    const wait = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!;
    attempt += 1;
    log.warn({ err: reason, retry_ms: wait }, 'signal connection lost; reconnecting');
    retry = setTimeout(() => void connect().catch(() => undefined), wait);
    retry.unref?.();
  };

  const connect = async (): Promise<void> => {
    if (closed) return;
    // Any connection after the first attempt may have missed signals.
    const isReconnect = connects++ > 0;
    const c = new pg.Client({ connectionString: url, options: '-c search_path=engine,public -c TimeZone=UTC', keepAlive: true, connectionTimeoutMillis: 5_000, application_name: SIGNAL_APPLICATION_NAME });
    c.on('error', (err) => drop(c, err));
    c.on('end', () => drop(c, new Error('connection ended')));
    c.on('notification', (msg) => dispatch(msg.channel, msg.payload ?? ''));
    client = c;
    try {
      await c.connect();
      for (const channel of SIGNAL_CHANNELS) await c.query(`LISTEN ${channel}`);
    } catch (err) {
      drop(c, err);
      throw err;
    }
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    attempt = 0;
    ping = setInterval(() => {
      c.query('SELECT 1').catch((err: unknown) => drop(c, err));
    }, PING_MS);
    ping.unref?.();
    if (isReconnect) {
      log.info('signal connection restored');
      resync();
    }
  };

  return {
    async start() {
      try {
        await connect();
      } catch (err) {
        // The node still works without signals (caches expire, requests re-check); keep retrying.
        log.error({ err }, 'could not listen for cross-node signals yet; retrying');
      }
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      clearInterval(ping);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
