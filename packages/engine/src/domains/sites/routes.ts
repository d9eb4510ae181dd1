// Site routes (routes.tsv group `sites`, data-model.md (a)). Access control is central; site scope
// and enrolment-code visibility are applied by the service.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  AssignSiteDevicesRequestSchema,
  AssignSiteDevicesResultSchema,
  CreateSiteRequestSchema,
  DeletedSitesSchema,
  DeleteSitesRequestSchema,
  RenameSiteRequestSchema,
  RotateEnrollmentCodeRequestSchema,
  SiteAutoApprovalRequestSchema,
  SiteDeviceMapSchema,
  SiteIdParamsSchema,
  SiteListSchema,
  SiteSchema,
} from '@borealis/protocol';
import type { ScopeUser } from '../../db/site-scope';
import { UnauthorizedError } from '../../errors';
import { actorOf } from '../../http/access-control';
import type { DomainDeps } from '../domain-deps';
import { createSiteService, type SiteServiceDeps } from './site-service';

const read = { auth: 'operator', permission: 'read', group: 'sites' } as const;
const manage = { auth: 'operator-admin', permission: 'site_manage', group: 'sites' } as const;

function userOf(request: FastifyRequest): ScopeUser {
  if (!request.operator) throw new UnauthorizedError();
  return request.operator.session;
}

export function registerSiteRoutes(app: FastifyInstance, deps: DomainDeps & Pick<SiteServiceDeps, 'onDeviceMoved'>): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const sites = createSiteService(deps);

  r.get('/api/sites', { config: read, schema: { summary: 'Sites in my scope, with enrolment codes where I may approve', response: { 200: SiteListSchema } } }, (request) =>
    sites.list(userOf(request), actorOf(request)),
  );

  r.post(
    '/api/sites',
    { config: manage, schema: { summary: 'Create a site and its enrolment code', body: CreateSiteRequestSchema, response: { 201: SiteSchema } } },
    async (request, reply) => reply.code(201).send(await sites.create(request.body, actorOf(request))),
  );

  r.post('/api/sites/delete', { config: manage, schema: { summary: 'Delete sites', body: DeleteSitesRequestSchema, response: { 200: DeletedSitesSchema } } }, (request) =>
    sites.deleteMany(request.body.ids, actorOf(request)),
  );

  r.post('/api/sites/rename', { config: manage, schema: { summary: 'Rename a site', body: RenameSiteRequestSchema, response: { 200: SiteSchema } } }, (request) =>
    sites.rename(request.body.id, request.body.new_name, actorOf(request)),
  );

  r.post(
    '/api/sites/:site_id/auto-approval',
    {
      config: manage,
      schema: { summary: 'Open or close the auto-approval window', params: SiteIdParamsSchema, body: SiteAutoApprovalRequestSchema, response: { 200: SiteSchema } },
    },
    (request) => sites.setAutoApproval(request.params.site_id, request.body.auto_approve_until, actorOf(request)),
  );

  r.post(
    '/api/sites/:site_id/enrollment-code/rotate',
    {
      config: manage,
      schema: {
        summary: 'Replace the enrolment code (the old one stops working at once)',
        params: SiteIdParamsSchema,
        body: RotateEnrollmentCodeRequestSchema,
        response: { 200: SiteSchema },
      },
    },
    (request) => sites.rotateEnrollmentCode(request.params.site_id, request.body, actorOf(request)),
  );

  r.get(
    '/api/sites/device_map',
    { config: read, schema: { summary: 'Hostname → site (empty until devices exist)', response: { 200: SiteDeviceMapSchema } } },
    (request) => sites.deviceMap(userOf(request)),
  );

  r.post(
    '/api/sites/assign',
    {
      config: manage,
      schema: { summary: 'Move devices, by hostname, into a site', body: AssignSiteDevicesRequestSchema, response: { 200: AssignSiteDevicesResultSchema } },
    },
    (request) => sites.assignDevices(request.body.site_id, request.body.hostnames, actorOf(request)),
  );
}
