// TOTP enrolment (security.md §4.4): a pending seed under Aegis until the first code confirms it;
// confirming replaces the recovery codes and, behind an mfa_setup ticket, signs the user in.

import type { Kysely } from 'kysely';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { AppError, ConflictError } from '../../errors';
import type { AegisService } from '../aegis/aegis-service';
import type { Actor, AuditLog } from '../audit/audit-log';
import { createUserRepository } from '../users/user-repository';
import { matchTotp, newTotpSecret, totpQrDataUrl, totpUri } from './factors/totp';
import type { SignInResult, SignInService } from './sign-in-service';
import type { Tickets } from './tickets';

const PENDING_SECONDS = 600;

export function createTotpEnrolment(deps: {
  db: Kysely<Database>;
  clock: Clock;
  aegis: AegisService;
  audit: AuditLog;
  tickets: Tickets;
  signIn: SignInService;
  issuer: string;
}) {
  const { db, clock, aegis, audit } = deps;
  const users = createUserRepository();
  const pendingAd = (id: string) => ({ table: 'users', column: 'totp_pending_secret_enc', rowId: id });

  return {
    /** The user behind an mfa_setup ticket (TOTP routes used before the first sign-in). */
    async ticketUser(pendingToken: string): Promise<{ userId: string; ticketId: string }> {
      const ticket = await deps.tickets.find(db, pendingToken, ['mfa_setup']);
      if (!ticket.userId) throw new AppError('invalid_token', 'This sign-in step has expired; start again');
      return { userId: ticket.userId, ticketId: ticket.id };
    },

    async setup(userId: string, username: string) {
      const secret = newTotpSecret();
      await users.update(db, userId, {
        totp_pending_secret_enc: aegis.encrypt(pendingAd(userId), secret),
        totp_pending_expires_at: new Date(clock.now().getTime() + PENDING_SECONDS * 1000),
      });
      const otpauthUrl = totpUri({ issuer: deps.issuer, username, secret });
      return { secret, otpauth_url: otpauthUrl, qr_png_data_url: await totpQrDataUrl(otpauthUrl), expires_in: PENDING_SECONDS };
    },

    /** Activates the pending seed; with a ticket the answer also signs in. */
    async confirm(
      input: { userId: string; code: string; ticketId?: string; userAgent: string | undefined },
      actor: Actor,
    ): Promise<{ recoveryCodes: string[]; signIn: SignInResult | null }> {
      const user = await users.findById(db, input.userId);
      if (!user) throw new AppError('unauthorized', 'Sign in first');
      const userActor: Actor = { ...actor, type: 'user', id: user.id, name: user.username };
      if (!user.totp_pending_secret_enc || !user.totp_pending_expires_at || user.totp_pending_expires_at <= clock.now()) {
        throw new ConflictError('No TOTP enrolment is pending; start the setup again');
      }
      const secret = await aegis.decrypt(pendingAd(user.id), user.totp_pending_secret_enc, userActor);
      const step = matchTotp({ secret, code: input.code, now: clock.now() });
      if (step === null) {
        if (input.ticketId) await deps.tickets.fail(db, input.ticketId);
        await audit.record(db, userActor, { action: 'mfa.failed', outcome: 'failure', details: { reason: 'wrong_code' } });
        throw new AppError('mfa_code_invalid', 'That code is not valid; check the time on your phone and try again');
      }
      return db.transaction().execute(async (trx) => {
        const now = clock.now();
        await users.update(trx, user.id, {
          totp_secret_enc: aegis.encrypt({ table: 'users', column: 'totp_secret_enc', rowId: user.id }, secret),
          totp_enabled_at: now,
          totp_last_step: step,
          totp_pending_secret_enc: null,
          totp_pending_expires_at: null,
          updated_at: now,
        });
        const recoveryCodes = await deps.signIn.regenerateRecoveryCodes(trx, user.id);
        await audit.record(trx, userActor, { action: 'mfa.totp.enrolled' });
        if (!input.ticketId) return { recoveryCodes, signIn: null };
        await deps.tickets.use(trx, input.ticketId);
        const fresh = (await users.findById(trx, user.id))!;
        const signIn = await deps.signIn.startSession(trx, fresh, 'password_totp', actor, input.userAgent, { recovery_codes: recoveryCodes });
        return { recoveryCodes, signIn };
      });
    },
  };
}

export type TotpEnrolment = ReturnType<typeof createTotpEnrolment>;
