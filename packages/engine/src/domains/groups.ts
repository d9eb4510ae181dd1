// The API groups the app factory registers, from this one list. Each domain has its own
// registrar; the entry picks the dependencies that registrar needs from the context.

import type { FastifyInstance } from 'fastify';
import type { EngineContext } from '../engine-context';
import { registerAegisRoutes } from './aegis/routes';
import { createAgentBundleSource } from './agent-install/agent-bundle';
import { registerAgentInstallRoutes } from './agent-install/routes';
import { registerPasskeyRoutes } from './auth/passkeys/routes';
import { registerAuthRoutes } from './auth/routes';
import { registerBootstrapRoutes } from './bootstrap/routes';
import { registerAuditRoutes } from './audit/routes';
import { registerCoreRoutes } from './core/routes';
import { registerCredentialRoutes } from './credentials/routes';
import type { DomainDeps } from './domain-deps';
import { registerSiteRoutes } from './sites/routes';
import { registerUserRoutes } from './users/routes';
import { buildInstallCommand } from './approvals/install-command';
import { createApprovalService } from './approvals/approval-service';
import { registerApprovalRoutes } from './approvals/routes';
import { createEnrollmentService } from './enrollment/enrollment-service';
import { registerEnrollmentRoutes } from './enrollment/routes';
import { scheduledJobRoutesOf } from './scheduled-jobs/wiring';
import { registerAgentGroup } from './agent/register';
import { registerDeviceRoutes } from './devices/routes';
import { registerFilterRoutes } from './filters/routes';
import { scheduledJobsUsingFilter } from './scheduled-jobs/targets';
import { registerMetadataRoutes } from './metadata/routes';
import { registerQuickJobGroup } from './quick-jobs/register';
import { registerAssemblyRoutes } from './assemblies/routes';
import { createAssemblyLibrary } from './assemblies/assembly-library';
import { registerServerAdminGroups } from './server/register';

export interface ApiGroup {
  readonly name: string;
  register(app: FastifyInstance, ctx: EngineContext): void | Promise<void>;
}

function security(ctx: EngineContext) {
  if (!ctx.security) throw new Error('security services exist on the api roles only');
  return ctx.security;
}

function domainDeps(ctx: EngineContext): DomainDeps {
  const s = security(ctx);
  return { db: ctx.db, clock: ctx.clock, aegis: s.aegis, audit: s.audit, hasher: s.hasher, sessions: s.sessions, hostSecret: s.hostSecretFile.secret, publicUrl: ctx.config.publicUrl, installCommand: installCommandOf(ctx) };
}

function enrollmentServiceOf(ctx: EngineContext) {
  const s = security(ctx);
  return createEnrollmentService({
    db: ctx.db,
    clock: ctx.clock,
    audit: s.audit,
    hostSecret: s.hostSecretFile.secret,
    deviceTrust: s.deviceTrust,
    deviceEvents: s.deviceEvents,
    agentTrust: ctx.agentTrust,
    rateExemptCidrs: ctx.config.enrollRateExemptCidrs,
  });
}

function approvalDepsOf(ctx: EngineContext) {
  const s = security(ctx);
  const approvals = createApprovalService({ db: ctx.db, clock: ctx.clock, audit: s.audit, deviceEvents: s.deviceEvents });
  return { db: ctx.db, aegis: s.aegis, installCommand: installCommandOf(ctx), approvals };
}

function installCommandOf(ctx: EngineContext) {
  const s = security(ctx);
  return (code: string) => buildInstallCommand({ origin: s.deviceTrust.origin, agentTrust: ctx.agentTrust }, code);
}

export const API_GROUPS: readonly ApiGroup[] = [
  { name: 'core', register: (app, ctx) => registerCoreRoutes(app, { health: ctx.services.health }) },
  { name: 'bootstrap', register: (app, ctx) => registerBootstrapRoutes(app, security(ctx)) },
  { name: 'auth', register: (app, ctx) => registerAuthRoutes(app, security(ctx)) },
  { name: 'passkeys', register: (app, ctx) => registerPasskeyRoutes(app, security(ctx)) },
  { name: 'aegis', register: (app, ctx) => registerAegisRoutes(app, security(ctx)) },
  { name: 'users', register: (app, ctx) => registerUserRoutes(app, domainDeps(ctx)) },
  {
    name: 'sites',
    register: (app, ctx) =>
      registerSiteRoutes(app, { ...domainDeps(ctx), onDeviceMoved: (m) => security(ctx).deviceEvents.emit('device_changed', { guid: m.guid, site_id: m.to, change: 'updated' }) }),
  },
  { name: 'credentials', register: (app, ctx) => registerCredentialRoutes(app, domainDeps(ctx)) },
  { name: 'audit', register: (app, ctx) => registerAuditRoutes(app, domainDeps(ctx)) },
  { name: 'enrollment', register: (app, ctx) => registerEnrollmentRoutes(app, { enrollment: enrollmentServiceOf(ctx) }) },
  { name: 'approvals', register: (app, ctx) => registerApprovalRoutes(app, approvalDepsOf(ctx)) },
  { name: 'scheduled-jobs', register: (app, ctx) => scheduledJobRoutesOf(app, ctx) },
  { name: 'agent', register: (app, ctx) => registerAgentGroup(app, ctx) },
  { name: 'agent-install', register: (app, ctx) => registerAgentInstallRoutes(app, { origin: () => security(ctx).deviceTrust.origin(), caPem: () => ctx.agentTrust?.caPem ?? null, bundle: createAgentBundleSource({ cacheDir: ctx.paths.cache }) }) },
  { name: 'devices', register: (app, ctx) => registerDeviceRoutes(app, { ...domainDeps(ctx), deviceEvents: security(ctx).deviceEvents, refreshTokens: security(ctx).deviceTrust.refreshTokens }) },
  { name: 'filters', register: (app, ctx) => registerFilterRoutes(app, { db: ctx.db, clock: ctx.clock, usage: scheduledJobsUsingFilter }) },
  { name: 'metadata', register: (app, ctx) => registerMetadataRoutes(app, { db: ctx.db, clock: ctx.clock }) },
  { name: 'quick-jobs', register: (app, ctx) => registerQuickJobGroup(app, ctx) },
  { name: 'assemblies', register: (app, ctx) => registerAssemblyRoutes(app, { library: createAssemblyLibrary({ db: ctx.db, clock: ctx.clock, audit: security(ctx).audit, invalidate: security(ctx).assemblies.invalidate }) }) },
  ...registerServerAdminGroups(security),
];
