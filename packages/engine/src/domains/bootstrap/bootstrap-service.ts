// The bootstrap transitions (security.md §2.2): Aegis setup and unlock, first admin (or admin
// recovery) with TOTP enrolment. Each step checks the phase; the first-run steps need the setup token.

import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { BootstrapState } from '@borealis/protocol';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { AppError } from '../../errors';
import type { AegisService } from '../aegis/aegis-service';
import type { Actor, AuditLog } from '../audit/audit-log';
import type { PasswordHasher } from '../auth/factors/password-hasher';
import { checkPasswordPolicy } from '../auth/factors/password-policy';
import { sealPasswordHash } from '../auth/password-hash-envelope';
import { matchTotp, newTotpSecret, totpQrDataUrl, totpUri } from '../auth/factors/totp';
import type { SignInResult, SignInService } from '../auth/sign-in-service';
import { addressKey, type FailureThrottle } from '../auth/throttle';
import type { Tickets } from '../auth/tickets';
import { createUserRepository } from '../users/user-repository';
import type { Gate, GatePhase } from './gate';
import type { SetupTokens } from './setup-token';

interface PendingAdmin {
  readonly username: string;
  readonly displayName: string | null;
  readonly phc: string;
  readonly secret: string;
  readonly recoverUserId: string | null;
  readonly expiresAt: number;
}

export interface BootstrapDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly gate: Gate;
  readonly aegis: AegisService;
  readonly audit: AuditLog;
  readonly hasher: PasswordHasher;
  readonly setupTokens: SetupTokens;
  readonly tickets: Tickets;
  readonly signIn: SignInService;
  readonly throttle: FailureThrottle;
  readonly issuer: string;
  /** Runs after a successful unlock (resumes an interrupted data-key rotation). */
  readonly afterUnlock?: () => Promise<void>;
}

export function createBootstrapService(deps: BootstrapDeps) {
  const { db, clock, gate, aegis, audit } = deps;
  const users = createUserRepository();
  // Admin-to-be between setup and TOTP confirmation: nothing is stored before the first code
  // proves the authenticator (§2.2), and secrets never sit in a jsonb column.
  const pending = new Map<string, PendingAdmin>();

  async function requirePhase(...allowed: GatePhase[]): Promise<GatePhase> {
    const { phase } = await gate.state(db);
    if (!allowed.includes(phase)) throw new AppError('invalid_phase', `Not possible now: the engine is in phase ${phase}`, undefined, { phase });
    return phase;
  }

  async function verifyToken(presented: string | undefined, actor: Actor): Promise<void> {
    try {
      await deps.setupTokens.verify(db, presented);
    } catch (err) {
      if (err instanceof AppError && err.code === 'setup_token_invalid') {
        await audit.record(db, actor, { action: 'bootstrap.setup_token_invalid', outcome: 'denied', severity: 'warning' });
      }
      throw err;
    }
  }

  async function enrolmentTicket(admin: Omit<PendingAdmin, 'secret' | 'expiresAt'>, purpose: 'bootstrap_admin' | 'bootstrap_recover', actor: Actor) {
    const secret = newTotpSecret();
    const ticket = await deps.tickets.issue(db, { userId: admin.recoverUserId, purpose, ip: actor.ip });
    for (const [id, p] of pending) if (p.expiresAt <= clock.now().getTime()) pending.delete(id);
    pending.set(ticket.id, { ...admin, secret, expiresAt: clock.now().getTime() + ticket.expiresIn * 1000 });
    const otpauthUrl = totpUri({ issuer: deps.issuer, username: admin.username, secret });
    return {
      status: 'mfa_setup_required' as const,
      pending_token: ticket.token,
      expires_in: ticket.expiresIn,
      secret,
      otpauth_url: otpauthUrl,
      qr_png_data_url: await totpQrDataUrl(otpauthUrl),
    };
  }

  return {
    async state(): Promise<BootstrapState> {
      const s = await gate.state(db);
      return {
        phase: s.phase,
        configured: s.configured,
        locked: s.locked,
        setup_token_required: ['aegis_setup_required', 'admin_setup_required', 'admin_recovery_required'].includes(s.phase),
        server_time: clock.now().toISOString(),
      };
    },

    async aegisSetup(cipher: string, token: string | undefined, actor: Actor): Promise<BootstrapState> {
      const { configured, phase } = await gate.state(db);
      if (configured) throw new AppError('aegis_already_initialized', 'Aegis is already set up', undefined, { phase });
      await verifyToken(token, actor);
      await aegis.setup(cipher, actor);
      return this.state();
    },

    async aegisUnlock(cipher: string, actor: Actor): Promise<BootstrapState> {
      await requirePhase('aegis_unlock_required');
      const key = addressKey(actor.ip ?? 'unknown', 'aegis');
      await deps.throttle.check(db, [{ key, rule: 'account' }]);
      try {
        await aegis.unlock(cipher, actor);
      } catch (err) {
        if (err instanceof AppError && err.code === 'aegis_passphrase_invalid') await deps.throttle.fail(db, key, 'account');
        throw err;
      }
      await deps.throttle.succeed(db, key);
      await deps.afterUnlock?.();
      return this.state();
    },

    async adminSetup(input: { username: string; display_name?: string; password: string }, token: string | undefined, actor: Actor) {
      await requirePhase('admin_setup_required');
      await verifyToken(token, actor);
      checkPasswordPolicy(input.password, { username: input.username, displayName: input.display_name });
      const phc = await deps.hasher.hash(input.password);
      return enrolmentTicket({ username: input.username, displayName: input.display_name || null, phc, recoverUserId: null }, 'bootstrap_admin', actor);
    },

    async adminRecover(input: { username: string; password: string }, token: string | undefined, actor: Actor) {
      await requirePhase('admin_recovery_required');
      await verifyToken(token, actor);
      const user = await users.findByUsername(db, input.username);
      if (!user || user.role !== 'admin' || !user.auth_reset_required) {
        throw new AppError('invalid_credentials', 'That is not an admin waiting for recovery');
      }
      checkPasswordPolicy(input.password, { username: user.username, displayName: user.display_name ?? undefined });
      const phc = await deps.hasher.hash(input.password);
      return enrolmentTicket({ username: user.username, displayName: user.display_name, phc, recoverUserId: user.id }, 'bootstrap_recover', actor);
    },

    /** Creates (or recovers) the admin once the first TOTP code proves the authenticator. */
    async adminVerify(input: { pendingToken: string; code: string; userAgent: string | undefined }, token: string | undefined, actor: Actor): Promise<SignInResult> {
      await requirePhase('admin_setup_required', 'admin_recovery_required');
      await verifyToken(token, actor);
      const ticket = await deps.tickets.find(db, input.pendingToken, ['bootstrap_admin', 'bootstrap_recover']);
      const admin = pending.get(ticket.id);
      if (!admin || admin.expiresAt <= clock.now().getTime()) throw new AppError('invalid_token', 'This setup step has expired; start again');
      const step = matchTotp({ secret: admin.secret, code: input.code, now: clock.now() });
      if (step === null) {
        if (await deps.tickets.fail(db, ticket.id)) pending.delete(ticket.id);
        await audit.record(db, { ...actor, name: admin.username }, { action: 'mfa.failed', outcome: 'failure', details: { reason: 'wrong_code' } });
        throw new AppError('mfa_code_invalid', 'That code is not valid; check the time on your phone and try again');
      }
      const result = await db.transaction().execute(async (trx) => {
        const now = clock.now();
        const id = admin.recoverUserId ?? uuidv7();
        const secrets = {
          password_hash_enc: sealPasswordHash(aegis, id, admin.phc),
          password_changed_at: now,
          totp_secret_enc: aegis.encrypt({ table: 'users', column: 'totp_secret_enc', rowId: id }, admin.secret),
          totp_enabled_at: now,
          totp_last_step: step,
          auth_reset_required: false,
          updated_at: now,
        };
        if (admin.recoverUserId) {
          await users.update(trx, id, secrets);
        } else {
          await users.insert(trx, { id, username: admin.username, display_name: admin.displayName, role: 'admin', created_at: now, ...secrets });
        }
        const codes = await deps.signIn.regenerateRecoveryCodes(trx, id);
        await deps.setupTokens.consume(trx);
        await deps.tickets.use(trx, ticket.id);
        const adminActor: Actor = { ...actor, type: 'user', id, name: admin.username };
        await audit.record(trx, adminActor, {
          action: admin.recoverUserId ? 'bootstrap.admin_recovered' : 'bootstrap.admin_created',
          targetType: 'user',
          targetId: id,
        });
        await audit.record(trx, adminActor, { action: 'mfa.totp.enrolled' });
        const user = (await users.findById(trx, id))!;
        return deps.signIn.startSession(trx, user, 'password_totp', actor, input.userAgent, { recovery_codes: codes });
      });
      pending.delete(ticket.id);
      return result;
    },
  };
}

export type BootstrapService = ReturnType<typeof createBootstrapService>;
