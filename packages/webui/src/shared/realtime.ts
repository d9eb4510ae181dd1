// The browser's one Socket.IO connection to the engine's /operator namespace (api.md "Browser
// realtime"): the session cookie authenticates it, rooms are reference-counted and joined again after
// every reconnect, and a refused handshake is retried with backoff instead of giving up.
import { OPERATOR_NAMESPACE, SOCKET_IO_PATH } from '@borealis/protocol';
import { io, type Socket } from 'socket.io-client';

export type RealtimeStatus = 'connecting' | 'connected' | 'disconnected';

export type RealtimeHandler = (payload: unknown) => void;

export interface RealtimeClient {
  /** Listens to a server event; payloads are unknown here, features parse them with protocol schemas. */
  on(event: string, handler: RealtimeHandler): () => void;
  /** Joins `room` (`device:<guid>`, `site:<id>`) while at least one caller holds it. */
  join(room: string): () => void;
  status(): RealtimeStatus;
  onStatus(listener: () => void): () => void;
  close(): void;
}

export interface RealtimeOptions {
  /** Engine origin; the page's own origin when omitted (the WebUI is served by the engine). */
  readonly url?: string;
  /** First delay before a refused handshake is tried again; doubles up to `maxRetryMs`. */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
}

const SUBSCRIBE_TIMEOUT_MS = 10_000;

export function createRealtimeClient(options: RealtimeOptions = {}): RealtimeClient {
  const url = `${options.url ?? ''}${OPERATOR_NAMESPACE}`;
  const socket: Socket = io(url, {
    path: SOCKET_IO_PATH,
    // The engine offers websocket only; cookies ride along on the same-origin upgrade.
    transports: ['websocket'],
    withCredentials: true,
    reconnectionDelay: 1_000,
    reconnectionDelayMax: 30_000,
  });
  const rooms = new Map<string, number>();
  const statusListeners = new Set<() => void>();
  let status: RealtimeStatus = 'connecting';
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryDelay = options.retryMs ?? 2_000;
  let isClosed = false;

  const setStatus = (next: RealtimeStatus) => {
    if (next === status) return;
    status = next;
    for (const listener of statusListeners) listener();
  };
  const emitRoom = (event: 'subscribe' | 'unsubscribe', room: string) => {
    if (!socket.connected) return; // joined on the next 'connect'
    // The ack says whether the room exists in our scope; a refusal only means no events come.
    socket.timeout(SUBSCRIBE_TIMEOUT_MS).emit(event, { room }, () => undefined);
  };

  socket.on('connect', () => {
    retryDelay = options.retryMs ?? 2_000;
    setStatus('connected');
    for (const room of rooms.keys()) emitRoom('subscribe', room);
  });
  socket.on('disconnect', (reason) => {
    setStatus('disconnected');
    // The server closed us (session revoked, gate relocked): Socket.IO does not retry that itself.
    if (reason === 'io server disconnect') scheduleRetry();
  });
  socket.on('connect_error', () => {
    setStatus('disconnected');
    // A middleware refusal (unauthorized, bootstrap_required) leaves the socket inactive; network
    // errors keep it active and Socket.IO's own backoff handles them.
    if (!socket.active) scheduleRetry();
  });

  function scheduleRetry() {
    if (isClosed || retryTimer !== undefined) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (isClosed) return;
      setStatus('connecting');
      socket.connect();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, options.maxRetryMs ?? 60_000);
  }

  return {
    on(event, handler) {
      socket.on(event, handler);
      return () => void socket.off(event, handler);
    },
    join(room) {
      const holders = rooms.get(room) ?? 0;
      rooms.set(room, holders + 1);
      if (holders === 0) emitRoom('subscribe', room);
      let isHeld = true;
      return () => {
        if (!isHeld) return;
        isHeld = false;
        const left = (rooms.get(room) ?? 1) - 1;
        if (left > 0) rooms.set(room, left);
        else {
          rooms.delete(room);
          emitRoom('unsubscribe', room);
        }
      };
    },
    status: () => status,
    onStatus(listener) {
      statusListeners.add(listener);
      return () => void statusListeners.delete(listener);
    },
    close() {
      isClosed = true;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      socket.close();
      statusListeners.clear();
    },
  };
}
