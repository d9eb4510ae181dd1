// The API groups the app factory registers, from this one list. Each domain has its own
// registrar; the entry picks the dependencies that registrar needs from the context.

import type { FastifyInstance } from 'fastify';
import type { EngineContext } from '../engine-context';
import { registerAegisRoutes } from './aegis/routes';
import { registerAuthRoutes } from './auth/routes';
import { registerBootstrapRoutes } from './bootstrap/routes';
import { registerCoreRoutes } from './core/routes';

export interface ApiGroup {
  readonly name: string;
  register(app: FastifyInstance, ctx: EngineContext): void | Promise<void>;
}

function security(ctx: EngineContext) {
  if (!ctx.security) throw new Error('security services exist on the api roles only');
  return ctx.security;
}

export const API_GROUPS: readonly ApiGroup[] = [
  { name: 'core', register: (app, ctx) => registerCoreRoutes(app, { health: ctx.services.health }) },
  { name: 'bootstrap', register: (app, ctx) => registerBootstrapRoutes(app, security(ctx)) },
  { name: 'auth', register: (app, ctx) => registerAuthRoutes(app, security(ctx)) },
  { name: 'aegis', register: (app, ctx) => registerAegisRoutes(app, security(ctx)) },
];
