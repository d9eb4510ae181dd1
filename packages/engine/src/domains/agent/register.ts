// The `agent` API group: device REST routes and the token refresh/reauth routes, wired from the
// engine's agent runtime.

import type { FastifyInstance } from 'fastify';
import type { EngineContext } from '../../engine-context';
import { registerAgentRoutes } from './routes';
import { registerTokenRoutes } from './token-routes';

export function registerAgentGroup(app: FastifyInstance, ctx: EngineContext): void {
  if (!ctx.agents) throw new Error('the agent runtime exists on the api roles only');
  registerTokenRoutes(app, { tokens: ctx.agents.tokens, nonces: ctx.agents.nonces });
  registerAgentRoutes(app, { db: ctx.db, clock: ctx.clock, store: ctx.agents.store, inventory: ctx.agents.inventory });
}
