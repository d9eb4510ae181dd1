// Socket.IO 4 on the engine's own HTTP server: websocket transport only, with the /agent and
// /operator namespaces. /operator authenticates in realtime/operator-namespace.ts, /agent in
// realtime/agent-namespace.ts (agent-protocol.md §5.1).

import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Server } from 'socket.io';
import { SOCKET_IO_PATH } from '@borealis/protocol';
import type { Logger } from 'pino';

/**
 * How long a closing engine waits for peers to answer the websocket close handshake. A busy or
 * stalled agent host may never answer; ws would wait 30 s, and the HTTP server's close with it,
 * past the CLI's 10 s stop deadline (a 10,000-agent stop on a saturated machine ran into it).
 */
export const CLOSE_HANDSHAKE_GRACE_MS = 1_000;

export interface RealtimeServer {
  readonly io: Server;
  close(): Promise<void>;
}

export function createRealtimeServer(deps: {
  server: HttpServer;
  log: Logger;
  isHostAllowed: (req: IncomingMessage) => boolean;
}): RealtimeServer {
  const io = new Server(deps.server, {
    path: SOCKET_IO_PATH,
    transports: ['websocket'],
    serveClient: false,
    pingInterval: 25_000,
    pingTimeout: 20_000,
    connectTimeout: 45_000,
    maxHttpBufferSize: 1024 * 1024,
    perMessageDeflate: false,
    allowRequest: (req, callback) => callback(null, deps.isHostAllowed(req)),
  });
  // The default namespace is not part of the protocol.
  io.of('/').use((_socket, next) => next(new Error('invalid_namespace')));
  const upgraded = new Set<Duplex>();
  deps.server.on('upgrade', (_req: IncomingMessage, socket: Duplex) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
  });
  return {
    io,
    // Not io.close(): that would also close the HTTP server, which Fastify owns and drains.
    close: async () => {
      io.disconnectSockets(true);
      io.engine.close();
      for (let waited = 0; upgraded.size && waited < CLOSE_HANDSHAKE_GRACE_MS; waited += 50) await sleep(50);
      // Every peer was told (engine_shutdown, then the close frame); the rest only holds the stop.
      for (const socket of upgraded) socket.destroy();
      upgraded.clear();
    },
  };
}
