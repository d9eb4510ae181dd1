// Passkeys (security.md §4.6) with @simplewebauthn/server: registration for a signed-in user,
// discoverable sign-in (user verification required) or a second factor behind an mfa ticket.

import { randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Clock } from '../../../clock';
import type { Database } from '../../../db/schema';
import { AppError, NotFoundError } from '../../../errors';
import type { AegisService } from '../../aegis/aegis-service';
import type { Actor, AuditLog } from '../../audit/audit-log';
import { createUserRepository } from '../../users/user-repository';
import type { SignInResult, SignInService } from '../sign-in-service';
import type { Tickets } from '../tickets';
import type { SessionService } from '../sessions/session-service';
import { describeMe } from '../me';

const CHALLENGE_SECONDS = 300;
const MAX_PASSKEYS = 10;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where the browser is: RP ID and the origins a ceremony may come from. */
export interface RelyingParty {
  readonly rpId: string;
  readonly rpName: string;
  readonly origins: readonly string[];
}

export function createPasskeyService(deps: {
  db: Kysely<Database>;
  clock: Clock;
  aegis: AegisService;
  audit: AuditLog;
  tickets: Tickets;
  signIn: SignInService;
  sessions: SessionService;
}) {
  const { db, clock, aegis, audit } = deps;
  const users = createUserRepository();
  const keyAd = (id: string) => ({ table: 'user_passkeys', column: 'public_key_enc', rowId: id });
  const invalid = () => new AppError('passkey_invalid', 'The passkey could not be verified');

  async function newChallenge(purpose: 'register' | 'authenticate', userId: string | null): Promise<{ id: string; challenge: string }> {
    const raw = randomBytes(32);
    const id = uuidv7();
    await db
      .insertInto('webauthn_challenges')
      .values({ id, purpose, user_id: userId, challenge: raw, expires_at: new Date(clock.now().getTime() + CHALLENGE_SECONDS * 1000) })
      .execute();
    return { id, challenge: raw.toString('base64url') };
  }

  /** Marks a challenge used and returns it, or throws passkey_invalid. */
  async function takeChallenge(id: string, purpose: 'register' | 'authenticate', userId: string | null): Promise<string> {
    if (!UUID.test(id)) throw invalid();
    const row = await db
      .updateTable('webauthn_challenges')
      .set({ used_at: clock.now() })
      .where('id', '=', id)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', clock.now())
      .returning(['challenge', 'user_id'])
      .executeTakeFirst();
    if (!row || (userId !== null && row.user_id !== userId)) throw invalid();
    return row.challenge.toString('base64url');
  }

  const listOwn = (userId: string) =>
    db.selectFrom('user_passkeys').select(['id', 'label', 'created_at', 'last_used_at', 'transports', 'credential_id']).where('user_id', '=', userId).orderBy('created_at').execute();

  return {
    async list(userId: string) {
      return (await listOwn(userId)).map((p) => ({
        id: p.id,
        label: p.label,
        created_at: p.created_at.toISOString(),
        last_used_at: p.last_used_at?.toISOString() ?? null,
        transports: p.transports,
      }));
    },

    async registrationOptions(userId: string, rp: RelyingParty) {
      const user = await users.findById(db, userId);
      if (!user) throw new AppError('unauthorized', 'Sign in first');
      const existing = await listOwn(userId);
      const { id, challenge } = await newChallenge('register', userId);
      const options = await generateRegistrationOptions({
        rpName: rp.rpName,
        rpID: rp.rpId,
        userName: user.username,
        userDisplayName: user.display_name ?? user.username,
        userID: Buffer.from(user.id.replaceAll('-', ''), 'hex'),
        challenge: Buffer.from(challenge, 'base64url'),
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({ id: p.credential_id, transports: p.transports })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      });
      return { challenge_id: id, options: asJsonObject(options) };
    },

    async register(input: { userId: string; challengeId: string; response: RegistrationResponseJSON; label?: string }, rp: RelyingParty, actor: Actor) {
      const expectedChallenge = await takeChallenge(input.challengeId, 'register', input.userId);
      const count = (await listOwn(input.userId)).length;
      if (count >= MAX_PASSKEYS) throw new AppError('passkey_limit', `At most ${MAX_PASSKEYS} passkeys per user; remove one first`);
      let verification;
      try {
        verification = await verifyRegistrationResponse({
          response: input.response,
          expectedChallenge,
          expectedOrigin: [...rp.origins],
          expectedRPID: rp.rpId,
          requireUserVerification: false,
        });
      } catch {
        throw invalid();
      }
      if (!verification.verified) throw invalid();
      const info = verification.registrationInfo;
      const id = uuidv7();
      const now = clock.now();
      const label = input.label?.trim() || `Passkey ${count + 1}`;
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('user_passkeys')
          .values({
            id,
            user_id: input.userId,
            credential_id: info.credential.id,
            public_key_enc: aegis.encrypt(keyAd(id), Buffer.from(info.credential.publicKey).toString('base64url')),
            sign_count: info.credential.counter,
            aaguid: /^[0-9a-f-]{36}$/i.test(info.aaguid) ? info.aaguid : null,
            transports: info.credential.transports ?? [],
            backed_up: info.credentialBackedUp,
            label,
            created_at: now,
          })
          .execute();
        await audit.record(trx, actor, { action: 'passkey.registered', targetType: 'passkey', targetId: id });
      });
      const user = (await users.findById(db, input.userId))!;
      return {
        status: 'ok' as const,
        username: user.username,
        passkey_count: count + 1,
        passkey: { id, label, created_at: now.toISOString(), transports: info.credential.transports ?? [] },
      };
    },

    async authenticationOptions(pendingToken: string | undefined, rp: RelyingParty) {
      let allow: Array<{ id: string; transports: string[] }> = [];
      let userId: string | null = null;
      if (pendingToken) {
        const ticket = await deps.tickets.find(db, pendingToken, ['mfa']);
        userId = ticket.userId;
        allow = userId ? (await listOwn(userId)).map((p) => ({ id: p.credential_id, transports: p.transports })) : [];
      }
      const { id, challenge } = await newChallenge('authenticate', userId);
      const options = await generateAuthenticationOptions({
        rpID: rp.rpId,
        challenge: Buffer.from(challenge, 'base64url'),
        allowCredentials: allow,
        userVerification: 'preferred',
      });
      return { challenge_id: id, options: asJsonObject(options) };
    },

    /** Passkey sign-in: alone it needs user verification; behind an mfa ticket it is the second factor. */
    async authenticate(
      input: {
        challengeId: string;
        response: AuthenticationResponseJSON;
        pendingToken?: string;
        userAgent: string | undefined;
        /** Signed in already: the passkey refreshes this session's second-factor check (§5.4). */
        stepUp?: { sessionId: string; userId: string; absoluteExpiresAt: Date };
      },
      rp: RelyingParty,
      actor: Actor,
    ): Promise<SignInResult> {
      const ticket = input.pendingToken ? await deps.tickets.find(db, input.pendingToken, ['mfa']) : null;
      const expectedChallenge = await takeChallenge(input.challengeId, 'authenticate', ticket?.userId ?? null);
      const fail = async (reason: string, userId: string | null) => {
        await audit.record(db, { ...actor, id: userId }, { action: 'passkey.sign_in_failed', outcome: 'failure', details: { reason } });
        if (ticket) await deps.tickets.fail(db, ticket.id);
        return invalid();
      };
      const credentialId = typeof input.response?.id === 'string' ? input.response.id : '';
      const row = await db.selectFrom('user_passkeys').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
      const owner = ticket?.userId ?? input.stepUp?.userId;
      if (!row || (owner && row.user_id !== owner)) throw await fail('unknown_credential', row?.user_id ?? null);
      let publicKey: string;
      try {
        publicKey = await aegis.decrypt(keyAd(row.id), row.public_key_enc, { ...actor, id: row.user_id });
      } catch {
        // A row planted without a valid envelope cannot sign anyone in.
        throw await fail('signature', row.user_id);
      }
      let result;
      try {
        result = await verifyAuthenticationResponse({
          response: input.response,
          expectedChallenge,
          expectedOrigin: [...rp.origins],
          expectedRPID: rp.rpId,
          credential: { id: row.credential_id, publicKey: Buffer.from(publicKey, 'base64url'), counter: Number(row.sign_count), transports: row.transports },
          requireUserVerification: ticket === null && !input.stepUp,
        });
      } catch (err) {
        const message = (err as Error).message ?? '';
        const reason = /counter/i.test(message) ? 'counter_regression' : /verif/i.test(message) && /user/i.test(message) ? 'no_user_verification' : 'signature';
        throw await fail(reason, row.user_id);
      }
      if (!result.verified) throw await fail('signature', row.user_id);
      const user = await users.findById(db, row.user_id);
      if (!user || user.disabled_at || user.auth_reset_required) throw await fail('unknown_credential', row.user_id);
      return db.transaction().execute(async (trx) => {
        await trx
          .updateTable('user_passkeys')
          .set({ sign_count: result.authenticationInfo.newCounter, last_used_at: clock.now() })
          .where('id', '=', row.id)
          .execute();
        if (input.stepUp) {
          const rotated = await deps.sessions.rotate(trx, input.stepUp.sessionId, { verified: true });
          await audit.record(trx, { ...actor, type: 'user', id: user.id, name: user.username }, { action: 'auth.step_up', details: { method: 'passkey' } });
          return {
            body: { status: 'ok' as const, user: await describeMe(trx, users, user), csrf_token: rotated.csrfToken },
            cookie: { secret: rotated.secret, csrfToken: rotated.csrfToken, maxAgeSeconds: deps.sessions.secondsLeft(input.stepUp.absoluteExpiresAt) },
          };
        }
        if (ticket) await deps.tickets.use(trx, ticket.id);
        return deps.signIn.startSession(trx, user, ticket ? 'password_passkey' : 'passkey', actor, input.userAgent);
      });
    },

    async rename(userId: string, passkeyId: string, label: string, actor: Actor) {
      if (!UUID.test(passkeyId)) throw new NotFoundError('No such passkey');
      const updated = await db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('user_passkeys')
          .set({ label })
          .where('id', '=', passkeyId)
          .where('user_id', '=', userId)
          .returning(['id', 'label', 'created_at', 'last_used_at', 'transports'])
          .executeTakeFirst();
        if (row) await audit.record(trx, actor, { action: 'passkey.renamed', targetType: 'passkey', targetId: passkeyId });
        return row;
      });
      if (!updated) throw new NotFoundError('No such passkey');
      return { id: updated.id, label: updated.label, created_at: updated.created_at.toISOString(), last_used_at: updated.last_used_at?.toISOString() ?? null, transports: updated.transports };
    },

    async remove(userId: string, passkeyId: string, actor: Actor): Promise<void> {
      if (!UUID.test(passkeyId)) throw new NotFoundError('No such passkey');
      const removed = await db.transaction().execute(async (trx) => {
        const row = await trx.deleteFrom('user_passkeys').where('id', '=', passkeyId).where('user_id', '=', userId).returning('id').executeTakeFirst();
        if (row) await audit.record(trx, actor, { action: 'passkey.removed', targetType: 'passkey', targetId: passkeyId });
        return row;
      });
      if (!removed) throw new NotFoundError('No such passkey');
    },
  };
}

export type PasskeyService = ReturnType<typeof createPasskeyService>;

/** The library's option interfaces as the plain JSON object the route schema describes. */
function asJsonObject(options: { challenge: string }): { challenge: string; [key: string]: unknown } {
  return { ...Object.fromEntries(Object.entries(options)), challenge: options.challenge };
}
