// Server-side operator sessions (security.md §5): opaque cookie secrets stored as SHA-256,
// idle and absolute expiry, unlock-epoch binding, rotation, revocation and the derived CSRF token.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Clock } from '../../../clock';
import type { AuthMethod, RevokeReason } from '../../../db/schema';
import type { HostSecret } from '../../../secrets/host-secret';
import type { DbExecutor } from '../../audit/audit-log';
import { createSessionRepository, type SessionWithUser } from './session-repository';

export interface SessionSettings {
  readonly idleSeconds: number;
  readonly maxSeconds: number;
  readonly maxPerUser: number;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = Object.freeze({ idleSeconds: 1800, maxSeconds: 43_200, maxPerUser: 20 });
const TOUCH_EVERY_MS = 60_000;

export interface NewSession {
  readonly id: string;
  readonly secret: string;
  readonly csrfToken: string;
  readonly absoluteExpiresAt: Date;
  /** Older sessions revoked because the user went over the limit. */
  readonly evicted: readonly string[];
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function createSessionService(deps: {
  clock: Clock;
  hostSecret: HostSecret;
  settings?: SessionSettings;
  /** Told the ids of revoked sessions, with the executor that revoked them (their sockets close at once, on every node). */
  onRevoked?: (db: DbExecutor, ids: readonly string[]) => void | Promise<void>;
}) {
  const repo = createSessionRepository();
  const settings = deps.settings ?? DEFAULT_SESSION_SETTINGS;
  const csrfFor = (secret: string) => deps.hostSecret.hmac('csrf', secret).toString('base64url');

  return {
    csrfFor,

    csrfMatches(secret: string, presented: string | undefined): boolean {
      if (!presented) return false;
      const expected = Buffer.from(csrfFor(secret));
      const given = Buffer.from(presented);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },

    async create(
      db: DbExecutor,
      input: { userId: string; unlockEpoch: string; authMethod: AuthMethod; ip: string | null; userAgent: string | undefined },
    ): Promise<NewSession> {
      const now = deps.clock.now();
      const secret = randomBytes(32).toString('base64url');
      const id = uuidv7();
      const absoluteExpiresAt = new Date(now.getTime() + settings.maxSeconds * 1000);
      await repo.insert(db, {
        id,
        secret_hash: hashSecret(secret),
        user_id: input.userId,
        unlock_epoch: input.unlockEpoch,
        auth_method: input.authMethod,
        verified_at: now,
        ip: input.ip,
        user_agent: input.userAgent ? input.userAgent.slice(0, 256) : null,
        created_at: now,
        last_seen_at: now,
        idle_expires_at: new Date(now.getTime() + settings.idleSeconds * 1000),
        absolute_expires_at: absoluteExpiresAt,
      });
      const beyond = await repo.oldestBeyond(db, input.userId, settings.maxPerUser, now);
      const evicted = await repo.revoke(db, { ids: beyond }, now, 'session_limit');
      if (evicted.length) await deps.onRevoked?.(db, evicted);
      return { id, secret, csrfToken: csrfFor(secret), absoluteExpiresAt, evicted };
    },

    /**
     * The live session for a cookie secret, or null. `background` requests (WebUI polling) do not
     * count as activity.
     */
    async authenticate(db: DbExecutor, secret: string, ctx: { unlockEpoch: string; background: boolean }): Promise<SessionWithUser | null> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(secret)) return null;
      const session = await repo.findBySecretHash(db, hashSecret(secret));
      const now = deps.clock.now();
      if (
        !session ||
        session.revoked_at ||
        session.unlock_epoch !== ctx.unlockEpoch ||
        session.idle_expires_at <= now ||
        session.absolute_expires_at <= now ||
        session.disabled_at
      ) {
        return null;
      }
      if (!ctx.background && now.getTime() - session.last_seen_at.getTime() >= TOUCH_EVERY_MS) {
        await repo.touch(db, session.id, now, new Date(now.getTime() + settings.idleSeconds * 1000));
      }
      return session;
    },

    /** New secret for the same session (step-up, own password change); the old cookie dies. */
    async rotate(db: DbExecutor, sessionId: string, opts: { verified?: boolean } = {}): Promise<{ secret: string; csrfToken: string }> {
      const secret = randomBytes(32).toString('base64url');
      await repo.replaceSecret(db, sessionId, hashSecret(secret), opts.verified ? deps.clock.now() : undefined);
      // Sockets opened with the old cookie must not outlive it.
      await deps.onRevoked?.(db, [sessionId]);
      return { secret, csrfToken: csrfFor(secret) };
    },

    async revoke(db: DbExecutor, where: { id?: string; userId?: string; exceptId?: string }, reason: RevokeReason): Promise<string[]> {
      const ids = await repo.revoke(db, where, deps.clock.now(), reason);
      if (ids.length) await deps.onRevoked?.(db, ids);
      return ids;
    },

    list(db: DbExecutor, userId: string) {
      return repo.listLive(db, userId, deps.clock.now());
    },

    secondsLeft(absoluteExpiresAt: Date): number {
      return Math.max(1, Math.floor((absoluteExpiresAt.getTime() - deps.clock.now().getTime()) / 1000));
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
