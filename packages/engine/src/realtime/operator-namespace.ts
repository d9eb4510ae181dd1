// The /operator Socket.IO namespace (api.md "Browser realtime"): the session cookie authenticates
// the handshake, a foreign Origin or a closed gate is refused, and a revoked session's sockets are
// disconnected at once here and, through the `session_revoked` / `aegis_state_changed` signals, re-checked
// against the database on every other node.

import type { Namespace, Server, Socket } from 'socket.io';
import type { Kysely } from 'kysely';
import { OPERATOR_NAMESPACE } from '@borealis/protocol';
import type { Database } from '../db/schema';
import { hashSecret, type SessionService } from '../domains/auth/sessions/session-service';
import type { Gate } from '../domains/bootstrap/gate';
import { isForeignOrigin } from '../http/access-control';
import { parseCookies, SESSION_COOKIE } from '../http/cookies';

export interface OperatorSocketData {
  sessionId: string;
  userId: string;
  /** The cookie digest and unlock epoch the handshake was accepted with (re-checked on signals). */
  secretHash: string;
  unlockEpoch: string;
}

/** Whether the socket's operator may join `room` (checked on every subscribe). */
export type RoomAuthorizer = (socket: Socket, room: string) => Promise<boolean>;

export interface OperatorNamespace {
  readonly namespace: Namespace;
  disconnectSessions(ids: readonly string[]): void;
  disconnectAll(): void;
  /**
   * Re-checks this node's sockets (of `sessionIds`, or all) against the database: a closed gate, or
   * a session revoked, rotated or from an older unlock epoch, disconnects them.
   */
  recheck(sessionIds?: readonly string[]): Promise<void>;
  /** Lets browsers `subscribe {room: '<prefix><id>'}` when `authorize` agrees. */
  addRoomKind(prefix: string, authorize: RoomAuthorizer): void;
}

function refusal(code: string): Error {
  const err = new Error(code) as Error & { data?: unknown };
  err.data = { code };
  return err;
}

export function installOperatorNamespace(
  io: Server,
  deps: { db: Kysely<Database>; gate: Gate; sessions: SessionService; publicUrl: string | undefined },
): OperatorNamespace {
  const nsp = io.of(OPERATOR_NAMESPACE);
  nsp.use((socket, next) => {
    void (async () => {
      const { headers } = socket.handshake;
      if (isForeignOrigin(headers, deps.publicUrl)) return next(refusal('csrf_failed'));
      const gate = await deps.gate.state(deps.db);
      if (gate.phase !== 'login_required') return next(refusal('bootstrap_required'));
      const secret = parseCookies(headers.cookie).get(SESSION_COOKIE);
      const session = secret ? await deps.sessions.authenticate(deps.db, secret, { unlockEpoch: gate.unlockEpoch ?? '', background: true }) : null;
      if (!session) return next(refusal('unauthorized'));
      const data: OperatorSocketData = { sessionId: session.id, userId: session.user_id, secretHash: hashSecret(secret!).toString('hex'), unlockEpoch: gate.unlockEpoch ?? '' };
      socket.data = data;
      await socket.join([`session:${session.id}`, `user:${session.user_id}`]);
      next();
    })().catch(() => next(refusal('unavailable')));
  });
  // Domains add room kinds (`device:`, `job:` …); a room nobody handles, or one out of scope, is not_found.
  const roomAuthorizers = new Map<string, RoomAuthorizer>();
  nsp.on('connection', (socket) => {
    socket.on('subscribe', (payload: unknown, ack?: (answer: unknown) => void) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      const room = typeof payload === 'object' && payload !== null && typeof (payload as { room?: unknown }).room === 'string' ? (payload as { room: string }).room : '';
      const authorize = roomAuthorizers.get(room.slice(0, room.indexOf(':') + 1));
      if (!authorize) return reply({ ok: false, error: { code: 'not_found', message: 'No such room' } });
      authorize(socket, room)
        .then(async (allowed) => {
          if (!allowed) return reply({ ok: false, error: { code: 'not_found', message: 'No such room' } });
          await socket.join(room);
          reply({ ok: true });
        })
        .catch(() => reply({ ok: false, error: { code: 'unavailable', message: 'Try again' } }));
    });
    socket.on('unsubscribe', (payload: unknown, ack?: (answer: unknown) => void) => {
      const room = typeof payload === 'object' && payload !== null ? (payload as { room?: unknown }).room : undefined;
      // Scope rooms joined at connect stay; only subscribed rooms can be left.
      if (typeof room === 'string' && roomAuthorizers.has(room.slice(0, room.indexOf(':') + 1))) void socket.leave(room);
      if (typeof ack === 'function') ack({ ok: true });
    });
  });
  return {
    namespace: nsp,
    addRoomKind(prefix, authorize) {
      roomAuthorizers.set(prefix, authorize);
    },
    disconnectSessions(ids) {
      for (const id of ids) nsp.in(`session:${id}`).disconnectSockets(true);
    },
    disconnectAll() {
      nsp.disconnectSockets(true);
    },
    async recheck(sessionIds) {
      const wanted = sessionIds ? new Set(sessionIds) : null;
      const sockets = [...nsp.sockets.values()].filter((s) => {
        const id = (s.data as Partial<OperatorSocketData>).sessionId;
        return id !== undefined && (!wanted || wanted.has(id));
      });
      if (!sockets.length) return;
      const gate = await deps.gate.state(deps.db);
      if (gate.phase !== 'login_required') {
        for (const s of sockets) s.disconnect(true);
        return;
      }
      const ids = [...new Set(sockets.map((s) => (s.data as OperatorSocketData).sessionId))];
      const rows = await deps.db.selectFrom('operator_sessions').select(['id', 'secret_hash', 'revoked_at', 'unlock_epoch']).where('id', 'in', ids).execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const s of sockets) {
        const data = s.data as OperatorSocketData;
        const row = byId.get(data.sessionId);
        const live = row && !row.revoked_at && String(row.unlock_epoch) === gate.unlockEpoch && data.unlockEpoch === gate.unlockEpoch && Buffer.from(row.secret_hash).toString('hex') === data.secretHash;
        if (!live) s.disconnect(true);
      }
    },
  };
}
