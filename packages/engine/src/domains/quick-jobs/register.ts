// The `quick-jobs` API group: operator routes, the agent result route and socket events, the job:
// room for browsers, and the node's quick-job runtime (started here, stopped when the app closes).

import type { FastifyInstance } from 'fastify';
import { AGENT_NAMESPACE, OPERATOR_NAMESPACE } from '@borealis/protocol';
import type { EngineContext } from '../../engine-context';
import { AppError, NotFoundError } from '../../errors';
import type { AssemblyService } from '../assemblies/assembly-service';
import { createFilterEvaluation } from '../filters/filter-evaluation';
import { installAgentJobHandlers, registerAgentJobRoutes } from './agent-handlers';
import type { QuickJobAssemblies } from './assembly-port';
import { createDispatchService } from './dispatch-service';
import { createQuickJobRuntime, type QuickJobRuntime } from './quick-job-runtime';
import { createReadService } from './read-service';
import { registerQuickJobRoutes } from './routes';

declare module 'fastify' {
  interface FastifyInstance {
    /** The quick-job runtime of this node (tests drive its sweep and flushes). */
    quickJobs?: QuickJobRuntime;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Adapts the engine's assembly store to what the dispatcher needs (one injected lookup). */
export function quickJobAssembliesOf(service: AssemblyService): QuickJobAssemblies {
  return {
    async resolve(guid, revision) {
      const a = await service.resolve(guid, revision);
      return {
        assembly_guid: a.assembly_guid,
        revision: a.revision,
        content_hash: a.content_hash,
        display_name: a.display_name,
        assembly_type: a.assembly_type,
        assembly_subtype: a.assembly_subtype,
        platforms: a.payload.platforms,
        timeout_seconds: a.payload.timeout_seconds,
        warning_exit_codes: a.payload.warning_exit_codes,
        script: a.script,
        environmentFor: (overrides, builtins) => service.resolveVariables(a.payload, overrides, builtins).environment,
      };
    },
    signingKey: () => service.signingKey(),
    canSign: () => service.canSign(),
  };
}

export function registerQuickJobGroup(app: FastifyInstance, ctx: EngineContext): void {
  if (!ctx.security || !ctx.agents || !ctx.realtime) throw new Error('quick jobs run on the api roles only');
  const security = ctx.security;
  const assemblies = quickJobAssembliesOf(security.assemblies);
  const agents = ctx.agents;
  const runtime = createQuickJobRuntime({
    db: ctx.db,
    clock: ctx.clock,
    log: ctx.loggers.root.child({ svc: 'quick-jobs' }),
    agents: ctx.realtime.io.of(AGENT_NAMESPACE),
    operators: ctx.realtime.io.of(OPERATOR_NAMESPACE),
    assemblies,
    outputMaxBytes: ctx.config.jobOutputMaxBytes,
    localDevices: () => agents.sockets.localDevices(),
  });
  const reads = createReadService({ db: ctx.db });
  const devicesOfFilter = createFilterEvaluation({ clock: ctx.clock });
  // automation.md §2.1: a saved filter is evaluated within the caller's job_run scope.
  const evaluateFilter = async (filterId: number, siteIds: readonly number[] | null) => {
    const devices = await devicesOfFilter(ctx.db, filterId, siteIds);
    if (!devices) throw new AppError('unknown_targets', `Unknown filter ${filterId}`, [{ path: 'targets.filter_id', message: `filter:${filterId}` }], { values: [`filter:${filterId}`] });
    return devices.map((d) => d.guid);
  };
  const dispatch = createDispatchService({ db: ctx.db, clock: ctx.clock, audit: security.audit, assemblies, evaluateFilter, onCreated: (rows) => runtime.created(rows) });

  registerQuickJobRoutes(app, { dispatch, reads, runtime });
  registerAgentJobRoutes(app, runtime.fanIn);
  installAgentJobHandlers(agents.sockets, runtime.fanIn);
  agents.sockets.onRegistered((device) => runtime.agentRegistered(device.rowGuid));
  ctx.operators?.addRoomKind('job:', async (socket, room) => {
    const id = room.slice('job:'.length);
    const userId: unknown = (socket.data as { userId?: unknown }).userId;
    if (!UUID.test(id) || typeof userId !== 'string') return false;
    const user = await ctx.db.selectFrom('users').select(['id', 'role']).where('id', '=', userId).executeTakeFirst();
    if (!user) return false;
    try {
      await reads.visibleJob({ user_id: user.id, role: user.role }, id.toLowerCase());
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  });

  app.decorate('quickJobs', runtime);
  runtime.start();
  app.addHook('onClose', async () => runtime.stop());
}
