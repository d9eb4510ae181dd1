// GET /api/audit (security.md §9.3).

import type { FastifyInstance } from 'fastify';
import type { DomainDeps } from '../domain-deps';

export function registerAuditRoutes(_app: FastifyInstance, _deps: DomainDeps): void {}
