// GET /api/audit (security.md §9.3): the filtered, keyset-paged security audit trail, admin-only.

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AuditEventListSchema, AuditListQuerySchema } from '@borealis/protocol';
import type { DomainDeps } from '../domain-deps';
import { createAuditService } from './audit-service';

export function registerAuditRoutes(app: FastifyInstance, deps: DomainDeps): void {
  const audit = createAuditService({ db: deps.db });
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/audit',
    {
      config: { auth: 'operator-admin', permission: 'audit_read', group: 'audit' },
      schema: {
        summary: 'The security audit trail, newest first: filter by time, action (exact or prefix.*), actor, target, site, outcome, severity; keyset-paged',
        querystring: AuditListQuerySchema,
        response: { 200: AuditEventListSchema },
      },
    },
    (request) => audit.list(request.query),
  );
}
