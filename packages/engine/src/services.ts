// The service graph of the api roles, built once per engine by plain factories (no container).
// Each factory gets only the dependencies it uses.

import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Clock } from './clock';
import type { EngineConfig } from './config';
import type { Database } from './db/schema';
import { createAegisService } from './domains/aegis/aegis-service';
import { createKeyring } from './domains/aegis/cipher/keyring';
import { createAuditLog, SYSTEM_ACTOR, type Actor } from './domains/audit/audit-log';
import { createSignInFloodControl } from './domains/audit/sign-in-flood';
import { createMaintenance } from './maintenance';
import { createAegisRotation } from './domains/aegis/aegis-rotation';
import { FORCE_RESET_PHRASE, forceReset } from './domains/aegis/force-reset';
import { AppError } from './errors';
import { parseCookies, SESSION_COOKIE } from './http/cookies';
import type { Logger } from 'pino';
import { createAccountService } from './domains/auth/account-service';
import { createPasswordHasher, type Argon2Params } from './domains/auth/factors/password-hasher';
import { isCommonPassword } from './domains/auth/factors/password-policy';
import { createPasskeyService } from './domains/auth/passkeys/passkey-service';
import { createSessionService } from './domains/auth/sessions/session-service';
import { createSignInService } from './domains/auth/sign-in-service';
import { createFailureThrottle, createRequestBudgets } from './domains/auth/throttle';
import { createTickets } from './domains/auth/tickets';
import { createTotpEnrolment } from './domains/auth/totp-enrolment';
import { createBootstrapService } from './domains/bootstrap/bootstrap-service';
import { createGate } from './domains/bootstrap/gate';
import { createSetupTokens, formatSetupTokenBanner } from './domains/bootstrap/setup-token';
import type { RuntimePaths } from './runtime-paths';
import { loadOrCreateHostSecret } from './secrets/host-secret';
import { createDeviceTrust } from './domains/devices/trust/device-trust';
import { createDeviceEvents } from './domains/devices/device-events';
import { createAssemblyService } from './domains/assemblies/assembly-service';
import { sendSignal } from './db/signal-bus';

export interface ServiceOptions {
  /** Where the setup token is printed (stderr; never the logger). */
  readonly stderr?: { write(text: string): unknown };
  /** argon2 cost; tests may use the allowed minimum. */
  readonly argon2?: Argon2Params;
  /** Stop a data-key rotation after this many batches (tests simulate a crash mid-rotation). */
  readonly rotationBatchLimit?: number;
}


export function createSecurityServices(deps: { db: Kysely<Database>; clock: Clock; config: EngineConfig; paths: RuntimePaths; options: ServiceOptions; log: Logger }) {
  const { db, clock, config, paths } = deps;
  const hostSecretFile = loadOrCreateHostSecret(config.hostSecretFile ?? join(paths.secrets, 'engine_secret.txt'));
  const keyring = createKeyring();
  const audit = createAuditLog({ clock });
  const gate = createGate({
    isUnlocked: () => keyring.isUnlocked,
    onUnconfigured: () => {
      keyring.zero();
      realtimeHooks.allRevoked();
    },
  });
  const aegis = createAegisService({ db, clock, keyring, audit, isCommonPassword });
  const hasher = createPasswordHasher({ params: deps.options.argon2, concurrency: config.authHashConcurrency });
  const realtimeHooks = { sessionsRevoked: (_ids: readonly string[]) => {}, allRevoked: () => {} };
  const sessions = createSessionService({ clock, hostSecret: hostSecretFile.secret, onRevoked: async (executor, ids) => {
      realtimeHooks.sessionsRevoked(ids);
      // Other nodes close their sockets of these sessions when this commits (security.md §5.1).
      await sendSignal(executor, 'session_revoked', ids);
    },
    settings: { idleSeconds: config.sessionIdleSeconds, maxSeconds: config.sessionMaxSeconds, maxPerUser: 20 },
  });
  const tickets = createTickets({ clock });
  const throttle = createFailureThrottle({ clock });
  const budgets = createRequestBudgets({ clock });
  const flood = createSignInFloodControl({ clock, audit });
  const signIn = createSignInService({ db, clock, aegis, audit, hasher, sessions, tickets, throttle, noteFailure: (ip) => flood.noteFailure(ip) });
  const totp = createTotpEnrolment({ db, clock, aegis, audit, tickets, signIn, issuer: config.mfaIssuer });
  const passkeys = createPasskeyService({ db, clock, aegis, audit, tickets, signIn, sessions });
  const currentSession = async (cookieHeader: string | undefined) => {
    const secret = parseCookies(cookieHeader).get(SESSION_COOKIE);
    if (!secret) return null;
    const state = await gate.state(db);
    return state.phase === 'login_required' ? sessions.authenticate(db, secret, { unlockEpoch: state.unlockEpoch ?? '', background: false }) : null;
  };
  const account = createAccountService({ db, clock, aegis, audit, hasher, sessions, signIn, throttle });
  const setupTokenFile = join(paths.secrets, 'setup_token.txt');
  const stderr = deps.options.stderr ?? process.stderr;
  const setupTokens = createSetupTokens({ file: setupTokenFile, clock, print: (token) => stderr.write(formatSetupTokenBanner(token, setupTokenFile)) });
  const rotation = createAegisRotation({ db, clock, keyring, audit, log: deps.log, isCommonPassword, batchLimit: deps.options.rotationBatchLimit });
  const bootstrap = createBootstrapService({ db, clock, gate, aegis, audit, hasher, setupTokens, tickets, signIn, throttle, issuer: config.mfaIssuer, afterUnlock: () => rotation.resume() });
  const forceResetAsUser = async (input: { userId: string; confirm: string; password: string }, actor: Actor) => {
    if (input.confirm !== FORCE_RESET_PHRASE) return forceReset({ db, clock, audit, setupTokens, keyring }, input.confirm, actor);
    if (!(await account.checkOwnPassword(input.userId, input.password, actor))) throw new AppError('invalid_credentials', 'Your password is not correct');
    const result = await forceReset({ db, clock, audit, setupTokens, keyring }, input.confirm, actor);
    realtimeHooks.allRevoked();
    return result;
  };

  // Agents sign `htu` against this origin and it is the `iss` of their tokens (agent-protocol §1, §3.1).
  let listeningOrigin: string | undefined;
  const agentOrigin = () => (config.publicUrl ? new URL(config.publicUrl).origin : (listeningOrigin ?? `https://${config.host}:${config.port}`));
  const deviceTrust = createDeviceTrust({ db, clock, audit, hostSecret: hostSecretFile.secret, origin: agentOrigin });
  const deviceEvents = createDeviceEvents();
  const maintenance = createMaintenance({ db, clock, log: deps.log, auditRetentionDays: config.auditRetentionDays, flushFlood: (executor) => flood.flush(executor), deviceEvents });

  return {
    hostSecretFile,
    deviceTrust,
    deviceEvents,
    /** Assembly store + cache + job-signing key, shared by quick and scheduled jobs (automation.md §1.3, §1.5). */
    assemblies: createAssemblyService({ db, clock, keyring }),
    /** Called by listen(): without BOREALIS_PUBLIC_URL, agents address the engine as it listens. */
    setListeningOrigin(url: string): void {
      listeningOrigin = new URL(url).origin;
    },
    maintenance,
    keyring,
    audit,
    gate,
    aegis,
    hasher,
    sessions,
    tickets,
    throttle,
    budgets,
    signIn,
    totp,
    account,
    passkeys,
    currentSession,
    setupTokens,
    bootstrap,
    rotation,
    forceResetAsUser,
    /** Set by the engine once Socket.IO exists: how revocations reach open sockets. */
    realtimeHooks,
    publicUrl: config.publicUrl,
    rpId: config.webauthnRpId,
    rpName: config.passkeyRpName,
    extraOrigins: config.webauthnOrigins,
    stepUpSeconds: config.stepUpSeconds,

    /** Start-up duty of the api role: make sure a setup token exists while nobody can sign in. */
    async prepareGate(): Promise<void> {
      const state = await gate.state(db);
      if ((await setupTokens.ensure(db, state.needsSetupToken)) === 'issued') {
        await audit.record(db, SYSTEM_ACTOR, { action: 'bootstrap.setup_token_issued' });
      }
    },
  };
}

export type SecurityServices = ReturnType<typeof createSecurityServices>;
