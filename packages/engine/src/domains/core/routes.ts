// Core routes: GET /health (no auth), for load balancers, the WebUI's Server page and operators.

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { HealthSchema } from '@borealis/protocol';
import type { HealthService } from './health-service';

export function registerCoreRoutes(app: FastifyInstance, deps: { health: HealthService }): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/health',
    {
      config: { auth: 'none', permission: 'public', group: 'core' },
      schema: {
        summary: 'Liveness and readiness',
        description: '200 when every part is healthy; 503 with the failing parts named otherwise.',
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (_request, reply) => {
      const health = await deps.health.check();
      return reply.code(health.status === 'ok' ? 200 : 503).send(health);
    },
  );
}
