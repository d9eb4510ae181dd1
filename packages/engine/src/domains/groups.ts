// The API groups the app factory registers, from this one list. Each domain has its own
// registrar; the entry picks the dependencies that registrar needs from the context.

import type { FastifyInstance } from 'fastify';
import type { EngineContext } from '../engine-context';
import { registerCoreRoutes } from './core/routes';

export interface ApiGroup {
  readonly name: string;
  register(app: FastifyInstance, ctx: EngineContext): void | Promise<void>;
}

export const API_GROUPS: readonly ApiGroup[] = [
  { name: 'core', register: (app, ctx) => registerCoreRoutes(app, { health: ctx.services.health }) },
];
