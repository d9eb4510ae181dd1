// Aegis administration routes (security.md §3.6–§3.7). Rotation and force reset come next.

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AegisStatusSchema } from '@borealis/protocol';
import type { AegisService } from './aegis-service';

export function registerAegisRoutes(app: FastifyInstance, deps: { aegis: AegisService }): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/aegis/status',
    { config: { auth: 'operator', permission: 'read', group: 'aegis' }, schema: { summary: 'Aegis state, protected value counts, rotation', response: { 200: AegisStatusSchema } } },
    () => deps.aegis.status(),
  );
}
