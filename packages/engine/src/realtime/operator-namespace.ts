// The /operator Socket.IO namespace (api.md "Browser realtime"): the session cookie authenticates
// the handshake, a foreign Origin or a closed gate is refused, and a revoked session's sockets are
// disconnected at once.

import type { Namespace, Server } from 'socket.io';
import type { Kysely } from 'kysely';
import { OPERATOR_NAMESPACE } from '@borealis/protocol';
import type { Database } from '../db/schema';
import type { SessionService } from '../domains/auth/sessions/session-service';
import type { Gate } from '../domains/bootstrap/gate';
import { isForeignOrigin } from '../http/access-control';
import { parseCookies, SESSION_COOKIE } from '../http/cookies';

export interface OperatorSocketData {
  sessionId: string;
  userId: string;
}

function refusal(code: string): Error {
  const err = new Error(code) as Error & { data?: unknown };
  err.data = { code };
  return err;
}

export function installOperatorNamespace(
  io: Server,
  deps: { db: Kysely<Database>; gate: Gate; sessions: SessionService; publicUrl: string | undefined },
): { disconnectSessions(ids: readonly string[]): void; disconnectAll(): void; namespace: Namespace } {
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
      const data: OperatorSocketData = { sessionId: session.id, userId: session.user_id };
      socket.data = data;
      await socket.join([`session:${session.id}`, `user:${session.user_id}`]);
      next();
    })().catch(() => next(refusal('unavailable')));
  });
  nsp.on('connection', (socket) => {
    // Rooms for devices, jobs and sites arrive with their domains; refuse what does not exist yet.
    socket.on('subscribe', (_payload: unknown, ack?: (answer: unknown) => void) => {
      if (typeof ack === 'function') ack({ ok: false, error: { code: 'not_found', message: 'No such room' } });
    });
    socket.on('unsubscribe', (_payload: unknown, ack?: (answer: unknown) => void) => {
      if (typeof ack === 'function') ack({ ok: true });
    });
  });
  return {
    namespace: nsp,
    disconnectSessions(ids) {
      for (const id of ids) nsp.in(`session:${id}`).disconnectSockets(true);
    },
    disconnectAll() {
      nsp.disconnectSockets(true);
    },
  };
}
