// Credential store routes (security.md §3.5, routes.tsv group `credentials`).

import type { FastifyInstance } from 'fastify';
import type { DomainDeps } from '../domain-deps';

export function registerCredentialRoutes(_app: FastifyInstance, _deps: DomainDeps): void {}
