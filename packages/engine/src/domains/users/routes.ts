// User administration routes (security.md §4.1, §7.1).

import type { FastifyInstance } from 'fastify';
import type { DomainDeps } from '../domain-deps';

export function registerUserRoutes(_app: FastifyInstance, _deps: DomainDeps): void {}
