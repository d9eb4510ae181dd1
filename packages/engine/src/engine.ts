// createEngine(config): builds the EngineContext for the chosen role and, for the api roles, the
// Fastify app with Socket.IO, the API groups, OpenAPI and the WebUI. listen() is separate so tests
// can use app.inject().

import Fastify, { LogController, type FastifyInstance, type RouteOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { systemClock, type Clock } from './clock';
import { isLoopbackHost, wantsTls, type EngineConfig } from './config';
import { openDatabase, type EngineDatabase } from './db/database';
import { createSignalBus, RESYNC, type SignalBus } from './db/signal-bus';
import { migrateToLatest, waitForSchema } from './db/migrate';
import { API_GROUPS, type ApiGroup } from './domains/groups';
import { createHealthService } from './domains/core/health-service';
import type { EngineContext } from './engine-context';
import { installAccessControl } from './http/access-control';
import { installErrorHandler, sendError } from './http/error-handler';
import { registerOpenApi } from './http/openapi';
import { requestIdFor } from './http/request-id';
import type { RegisteredRoute } from './http/route-config';
import { createHostCheck, installSecurityHeaders } from './http/security-headers';
import { DEFAULT_WEBUI_DIR, registerWebUi, sendSpaIndex, wantsSpaFallback } from './http/webui';
import { createLoggers, type Loggers } from './log/loggers';
import { installOperatorNamespace, type OperatorNamespace } from './realtime/operator-namespace';
import { installOperatorRelays } from './realtime/operator-relays';
import { createRealtimeServer, type RealtimeServer } from './realtime/socket-server';
import { runtimePaths } from './runtime-paths';
import { createSecurityServices, type ServiceOptions } from './services';
import { agentTrustInfo } from './agent-trust-info';
import { seedOfficialAssemblies } from './domains/assemblies/official-set';
import type { TlsMaterial } from './tls';
import { ENGINE_VERSION } from './version';
import { startScheduling, type Scheduling } from './scheduler/start-scheduling';
import { createScheduledJobEvents } from './domains/scheduled-jobs/events';
import type { DeliverExecutions } from './domains/scheduled-jobs/scheduled-run';
import { deliverThroughQuickJobs } from './domains/scheduled-jobs/quick-job-delivery';
import { createAgentRuntime, type AgentRuntimeOptions } from './domains/agent/agent-runtime';

export interface Engine {
  readonly ctx: EngineContext;
  /** The HTTP app; null for roles that serve no HTTP. */
  readonly app: FastifyInstance | null;
  readonly tls: TlsMaterial | null;
  /** Every route the app registered, with its declared auth class. */
  routes(): readonly RegisteredRoute[];
  /** Binds the configured address; resolves the base URL (null for roles without HTTP). */
  listen(): Promise<string | null>;
  /** Drains connections, closes the database and the log files. Safe to call twice. */
  stop(): Promise<void>;
  /** The stop step in progress (null before stop() and for roles without HTTP), for a stop that runs out of time. */
  stopStep?(): string | null;
  /** Resolves when the role's work ends by itself (an idle site worker exits); null otherwise. */
  readonly done?: Promise<void> | null;
}

export interface CreateEngineOptions extends ServiceOptions {
  readonly clock?: Clock;
  /** Also log to the console (the CLI does). */
  readonly console?: boolean;
  readonly webuiDir?: string;
  readonly workerId?: string;
  /** How long a non-migrating role waits for the schema (default 120 s). */
  readonly schemaWaitMs?: number;
  /** The API groups to register (default: API_GROUPS). */
  readonly groups?: readonly ApiGroup[];
  /** Delivery of ready scheduled executions (the quick-jobs dispatcher); default: left Pending. */
  readonly deliverExecutions?: DeliverExecutions;
  /** Role site-worker: the site it serves (`--site`). */
  readonly siteId?: number;
  /** Agent socket timings and presence loops (tests shorten or drive them). */
  readonly agent?: AgentRuntimeOptions;
}

const BODY_LIMIT_BYTES = 1024 * 1024;

export async function createEngine(config: EngineConfig, options: CreateEngineOptions = {}): Promise<Engine> {
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  const paths = runtimePaths(config.home, config.role, options.workerId);
  const loggers = createLoggers({ dir: paths.logs, level: config.logLevel, clock, console: options.console });
  const log = loggers.root.child({ svc: 'engine' });
  let database: EngineDatabase | undefined;
  let signals: SignalBus | undefined;
  try {
    database = await openDatabase(
      config.databaseUrl
        ? { kind: 'postgres', url: config.databaseUrl, poolSize: config.databasePoolSize, acquireTimeoutMs: config.databaseAcquireTimeoutMs }
        : { kind: 'pglite', dataDir: paths.pgliteState },
    );
    const servesHttp = config.role === 'all' || config.role === 'api';
    const schemaVersion = servesHttp
      ? (await migrateToLatest(database, { log })).latest
      : await waitForSchema(database, { timeoutMs: options.schemaWaitMs });
    // Start-up step 4 (data-model.md): the official assemblies, compared by hash.
    if (servesHttp) log.debug({ official: await seedOfficialAssemblies({ db: database.db, clock }) }, 'official assemblies seeded');

    const health = createHealthService({ database, clock, version: ENGINE_VERSION, role: config.role, startedAt, schemaVersion: () => schemaVersion });
    if (!servesHttp) {
      const ctx: EngineContext = { config, clock, paths, loggers, log, database, db: database.db, realtime: null, version: ENGINE_VERSION, startedAt, services: { health }, security: null, agentTrust: null };
      log.info({ role: config.role, schema: schemaVersion }, 'role started');
      const scheduling = await startScheduling({ db: database.db, clock, log: loggers.root, config, deliver: options.deliverExecutions, siteId: options.siteId, workerGuid: options.workerId });
      return withoutHttp(ctx, loggers, database, scheduling);
    }

    // Loaded only when needed: the X.509 library is heavy and plain-HTTP starts should stay fast.
    const tls = wantsTls(config)
      ? await (await import('./tls')).loadOrCreateTls({ config, certificatesDir: paths.certificates, clock })
      : null;
    const isHostAllowed = createHostCheck(config);
    const app = buildFastify(config, loggers, tls);
    const realtime = createRealtimeServer({ server: app.server, log: loggers.root.child({ svc: 'realtime' }), isHostAllowed });
    const security = createSecurityServices({ db: database.db, clock, config, paths, options, log: loggers.root.child({ svc: 'aegis' }) });
    if (security.hostSecretFile.tightened) log.warn('secrets/engine_secret.txt had loose permissions; tightened to 0600');
    await security.prepareGate();
    // Device tokens are signed with a host-secret key, so agents work even while Aegis is locked.
    await security.deviceTrust.tokenKeys.ensureActive();
    const operatorSockets = installOperatorNamespace(realtime.io, { db: database.db, gate: security.gate, sessions: security.sessions, publicUrl: config.publicUrl });
    security.realtimeHooks.sessionsRevoked = operatorSockets.disconnectSessions;
    security.realtimeHooks.allRevoked = operatorSockets.disconnectAll;
    signals = createSignalBus({ database, log: loggers.root });
    wireSignals(signals, { security, operators: operatorSockets, db: database.db });
    await signals.start();
    const operatorRelays = installOperatorRelays({ operators: operatorSockets, db: database.db, events: security.deviceEvents, log: loggers.root.child({ svc: 'realtime' }) });
    const agents = createAgentRuntime({
      db: database.db,
      clock,
      log: loggers.root.child({ svc: 'agents' }),
      io: realtime.io,
      audit: security.audit,
      trust: security.deviceTrust,
      events: security.deviceEvents,
      hostSecret: security.hostSecretFile.secret,
      takeBudget: (key, limit) => security.budgets.take(key, limit),
      connectRate: config.agentConnectRate,
      connectQueueMs: config.agentConnectQueueMs,
      role: config.role,
      version: ENGINE_VERSION,
      options: options.agent,
    });
    const ctx: EngineContext = { config, clock, paths, loggers, log, database, db: database.db, realtime, version: ENGINE_VERSION, startedAt, services: { health }, security, agentTrust: tls ? agentTrustInfo(tls) : null, agents, operators: operatorSockets, signals };

    const routes = trackRoutes(app);
    installErrorHandler(app);
    installSecurityHeaders(app, { isHttps: tls !== null, isHostAllowed });
    installApiLog(app, loggers);
    installAccessControl(app, { db: database.db, gate: security.gate, sessions: security.sessions, budgets: security.budgets, clock, publicUrl: config.publicUrl, stepUpSeconds: config.stepUpSeconds, deviceAuth: agents.authenticator });
    await registerOpenApi(app, { version: ENGINE_VERSION, routes: () => finalRoutes(routes) });
    for (const group of options.groups ?? API_GROUPS) await group.register(app, ctx);
    const webuiDir = options.webuiDir ?? DEFAULT_WEBUI_DIR;
    const webui = await registerWebUi(app, { dir: webuiDir });
    if (!webui.isAvailable) log.warn({ dir: webuiDir }, 'webui build not found; run `npm run build` to serve the WebUI');
    app.setNotFoundHandler(async (request, reply) => {
      if (wantsSpaFallback(request)) {
        if (webui.isAvailable) return sendSpaIndex(reply, webuiDir);
        return sendError(reply, request, 404, 'not_found', 'WebUI not built: run `npm run build` and restart the engine');
      }
      return sendError(reply, request, 404, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}`);
    });
    await app.ready();
    security.maintenance.start();
    await agents.start();
    const scheduling = await startScheduling({
      db: database.db,
      clock,
      log: loggers.root,
      config,
      deliver: options.deliverExecutions ?? deliverThroughQuickJobs(database.db, () => app.quickJobs?.delivery),
      events: createScheduledJobEvents(realtime, database.db),
      isLocked: () => !security.keyring.isUnlocked,
    });

    const steps = stopSteps(log);
    return {
      ctx,
      app,
      tls,
      routes: () => finalRoutes(routes),
      async listen() {
        await app.listen({ host: config.host, port: config.port });
        const address = app.server.address();
        const port = typeof address === 'object' && address ? address.port : config.port;
        const host = config.host.includes(':') ? `[${config.host}]` : config.host;
        const url = `${tls ? 'https' : 'http'}://${host}:${port}`;
        security.setListeningOrigin(url);
        log.info({ url, role: config.role, version: ENGINE_VERSION, database: database!.dialect }, 'engine listening');
        if (tls?.caFingerprint) log.info({ ca: tls.caPath, sha256: tls.caFingerprint }, 'local CA in use; agents pin this ca.pem');
        // Passkeys need a host name, so point people at localhost rather than 127.0.0.1.
        const browse = config.publicUrl ?? (isLoopbackHost(config.host) ? `${tls ? 'https' : 'http'}://localhost:${port}` : url);
        log.info({ url: browse }, 'open the WebUI');
        return url;
      },
      stopStep: () => steps.current(),
      stop: once(async () => {
        log.info('engine stopping');
        await steps.run('scheduling', async () => scheduling?.stop());
        security.maintenance.stop();
        operatorRelays.close();
        await steps.run('agents', () => agents.stop('shutdown'));
        await steps.run('realtime', () => realtime.close());
        await steps.run('http', () => app.close());
        await steps.run('key_rotation', () => security.rotation.idle());
        security.keyring.zero();
        await steps.run('signals', async () => signals?.close());
        await closeQuietly(database, loggers, (databaseMs) => steps.done(databaseMs));
      }),
    };
  } catch (err) {
    await signals?.close();
    await closeQuietly(database, loggers);
    throw err;
  }
}

/** What each cross-node signal does on this node; every handler re-checks the database itself. */
function wireSignals(signals: SignalBus, deps: { security: ReturnType<typeof createSecurityServices>; operators: OperatorNamespace; db: EngineContext['db'] }): void {
  const { security, operators } = deps;
  signals.on('session_revoked', (payload) => operators.recheck(payload === RESYNC ? undefined : payload.split(',')));
  // A force reset elsewhere (API or CLI): gate.state() zeroes the keys once the state row is gone;
  // an unlock elsewhere starts a new epoch, which ends older sessions.
  signals.on('aegis_state_changed', async () => {
    await security.gate.state(deps.db);
    await operators.recheck();
  });
  signals.on('assembly_changed', (guid) => (guid === RESYNC ? security.assemblies.invalidateAll() : security.assemblies.invalidate(guid)));
  signals.on('device_token_keys_changed', () => security.deviceTrust.tokenKeys.reload());
}

function buildFastify(config: EngineConfig, loggers: Loggers, tls: TlsMaterial | null): FastifyInstance {
  const app = Fastify({
    ...(tls ? { https: { key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' as const } } : {}),
    loggerInstance: loggers.root.child({ svc: 'http' }),
    // api.log has one line per request; engine.log stays for events.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    genReqId: requestIdFor,
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    trustProxy: config.trustedProxies.length ? [...config.trustedProxies] : false,
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  return app;
}

function trackRoutes(app: FastifyInstance): RouteOptions[] {
  const seen: RouteOptions[] = [];
  // Keep the options object itself: hooks of child plugins may still fill in config after us.
  app.addHook('onRoute', (route) => {
    seen.push(route);
  });
  app.addHook('onReady', async () => {
    const missing = seen.filter((r) => !r.config?.auth).map((r) => `${String(r.method)} ${r.url}`);
    if (missing.length) throw new Error(`routes without an auth class: ${missing.join(', ')}`);
    const unpermitted = seen.filter((r) => !r.config?.permission).map((r) => `${String(r.method)} ${r.url}`);
    if (unpermitted.length) throw new Error(`routes without a permission: ${unpermitted.join(', ')}`);
  });
  return seen;
}

function finalRoutes(seen: readonly RouteOptions[]): RegisteredRoute[] {
  return seen.flatMap((r) =>
    (Array.isArray(r.method) ? r.method : [r.method]).map((method) => ({
      method: String(method),
      url: r.url,
      auth: r.config?.auth ?? 'none',
      permission: r.config?.permission,
      group: r.config?.group,
      hidden: Boolean((r.schema as { hide?: boolean } | undefined)?.hide),
    })),
  );
}

function installApiLog(app: FastifyInstance, loggers: Loggers): void {
  app.addHook('onResponse', async (request, reply) => {
    loggers.api({
      request_id: request.id,
      method: request.method,
      route: request.routeOptions.url ?? request.url.split('?')[0] ?? '',
      status: reply.statusCode,
      duration_ms: Math.round(reply.elapsedTime * 100) / 100,
      bytes: Number(reply.getHeader('content-length') ?? 0),
    });
  });
}

function withoutHttp(ctx: EngineContext, loggers: Loggers, database: EngineDatabase, scheduling: Scheduling | null): Engine {
  return {
    ctx,
    app: null,
    tls: null,
    done: scheduling?.done ?? null,
    routes: () => [],
    listen: async () => null,
    stop: once(async () => {
      ctx.log.info('engine stopping');
      await scheduling?.stop();
      await closeQuietly(database, loggers);
    }),
  };
}

async function closeQuietly(database: EngineDatabase | undefined, loggers: Loggers, closed?: (ms: number) => void): Promise<void> {
  const startedAt = performance.now();
  try {
    await database?.close();
  } catch (err) {
    loggers.root.warn({ err }, 'closing the database failed');
  }
  closed?.(Math.round(performance.now() - startedAt));
  loggers.close();
}

/**
 * Slow stop steps are logged as they end (a warning: the CLI gives the whole stop 10 s), so a stop
 * cut short still says where it was. The agents step includes the 2 s engine_shutdown grace.
 */
const SLOW_STOP_STEP_MS = 3_000;

function stopSteps(log: EngineContext['log']) {
  let startedAt: number | null = null;
  const ms: Record<string, number> = {};
  let current: string | null = null;
  return {
    current: () => current,
    async run(name: string, step: () => Promise<unknown>): Promise<void> {
      const t = performance.now();
      startedAt ??= t;
      current = name;
      try {
        await step();
      } finally {
        current = null;
        ms[name] = Math.round(performance.now() - t);
        if (ms[name] >= SLOW_STOP_STEP_MS) log.warn({ step: name, ms: ms[name] }, 'engine stop step was slow');
      }
    },
    done(databaseMs: number): void {
      log.info({ ms: Math.round(performance.now() - (startedAt ?? performance.now())), steps_ms: { ...ms, database: databaseMs } }, 'engine stopped');
    },
  };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}

export type { RealtimeServer };
