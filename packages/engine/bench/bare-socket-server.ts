// The physical baseline (issue 8): a bare Socket.IO server on the same TLS certificate and socket
// settings as the engine that only acknowledges — no auth, no validation, no presence, no database.
// Run as its own process: `tsx bare-socket-server.ts` with BARE_PORT, BARE_CERT, BARE_KEY.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { Server } from 'socket.io';

const port = Number(process.env.BARE_PORT);
const server = createServer({ key: readFileSync(process.env.BARE_KEY!, 'utf8'), cert: readFileSync(process.env.BARE_CERT!, 'utf8'), minVersion: 'TLSv1.2' });
const io = new Server(server, { path: '/socket.io/', transports: ['websocket'], serveClient: false, pingInterval: 25_000, pingTimeout: 20_000, connectTimeout: 45_000, maxHttpBufferSize: 1024 * 1024, perMessageDeflate: false });
const stamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

io.of('/agent').on('connection', (socket) => {
  socket.on('connect_agent', (_payload: unknown, ack?: (a: unknown) => void) => {
    ack?.({ ok: true, server_time: stamp(), heartbeat_interval_s: 20, config_revision: 'bare', signing_key_id: null, inventory_wanted: [] });
  });
  socket.on('agent_heartbeat', (_payload: unknown, ack?: (a: unknown) => void) => {
    ack?.({ ok: true, server_time: stamp(), heartbeat_interval_s: 20, config_revision: 'bare', inventory_wanted: [], site_id: null, site_name: null });
  });
});

server.listen(port, '127.0.0.1', () => process.stdout.write(`bare socket server on ${port}\n`));
process.once('SIGTERM', () => {
  io.disconnectSockets(true);
  server.close();
  process.exit(0);
});
