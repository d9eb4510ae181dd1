// Site routes (routes.tsv group `sites`, data-model.md (a)).

import type { FastifyInstance } from 'fastify';
import type { DomainDeps } from '../domain-deps';

export function registerSiteRoutes(_app: FastifyInstance, _deps: DomainDeps): void {}
