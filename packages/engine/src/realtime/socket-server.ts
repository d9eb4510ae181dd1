// Socket.IO 4 on the engine's own HTTP server: websocket transport only, with the /agent and
// /operator namespaces. /operator authenticates in realtime/operator-namespace.ts, /agent in
// realtime/agent-namespace.ts (agent-protocol.md §5.1).

import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { Server } from 'socket.io';
import { SOCKET_IO_PATH } from '@borealis/protocol';
import type { Logger } from 'pino';

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
  return {
    io,
    // Not io.close(): that would also close the HTTP server, which Fastify owns and drains.
    close: async () => {
      io.disconnectSockets(true);
      io.engine.close();
    },
  };
}
