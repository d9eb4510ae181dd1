// Builds the scheduled-jobs routes' dependencies from the EngineContext (one line in groups.ts).

import type { FastifyInstance } from 'fastify';
import type { EngineContext } from '../../engine-context';
import { hostTimeZone } from '../../scheduler/schedule';
import { tableAssemblySource } from './assembly-source';
import { createScheduledJobEvents } from './events';
import { registerScheduledJobRoutes } from './routes';
import { createScheduledJobService } from './scheduled-job-service';

export function scheduledJobRoutesOf(app: FastifyInstance, ctx: EngineContext): void {
  const jobs = createScheduledJobService({
    db: ctx.db,
    clock: ctx.clock,
    assemblies: tableAssemblySource,
    defaultTimeZone: ctx.config.timezone ?? hostTimeZone(),
    events: createScheduledJobEvents(ctx.realtime, ctx.db),
  });
  registerScheduledJobRoutes(app, { db: ctx.db, jobs });
}
