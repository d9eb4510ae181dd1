// Approval routes (routes.tsv group `approvals`): the enrolment queue, decisions and the site codes
// list. Access control is central; site scope and `enrollment_approve` per site are the service's.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  ApprovalIdParamsSchema,
  ApproveDeviceRequestSchema,
  DenyDeviceRequestSchema,
  DeviceApprovalListQuerySchema,
  DeviceApprovalListSchema,
  DeviceApprovalSchema,
  EnrollmentCodeListSchema,
} from '@borealis/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { AppError, UnauthorizedError } from '../../errors';
import { actorOf } from '../../http/access-control';
import type { AegisService } from '../aegis/aegis-service';
import type { ApprovalService } from './approval-service';
import { listEnrollmentCodes } from './enrollment-codes';

// security.md §7.2: every GET of approvals is `read`; deciding needs `enrollment_approve` on the row's site.
const read = { auth: 'operator', permission: 'read', group: 'approvals' } as const;
const decide = { auth: 'operator', permission: 'enrollment_approve', group: 'approvals' } as const;
const admin = { auth: 'operator-admin', permission: 'site_manage', group: 'approvals' } as const;

export interface ApprovalRouteDeps {
  readonly db: Kysely<Database>;
  readonly aegis: Pick<AegisService, 'decrypt'>;
  readonly approvals: ApprovalService;
  readonly installCommand: (code: string) => string;
}

function sessionOf(request: FastifyRequest) {
  if (!request.operator) throw new UnauthorizedError();
  return request.operator.session;
}

export function registerApprovalRoutes(app: FastifyInstance, deps: ApprovalRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/admin/enrollment-codes',
    { config: admin, schema: { summary: 'Every site enrolment code with its install command', response: { 200: EnrollmentCodeListSchema } } },
    (request) => listEnrollmentCodes(deps, actorOf(request)),
  );

  // Upstream managed several codes per site here; one code per site is rotated on the site instead.
  const gone = async () => {
    throw new AppError('gone', 'Enrolment codes belong to sites now: use POST /api/sites/:site_id/enrollment-code/rotate');
  };
  r.post('/api/admin/enrollment-codes', { config: admin, schema: { summary: 'Removed upstream route: answers 410 gone' } }, gone);
  r.delete('/api/admin/enrollment-codes/:code_id', { config: admin, schema: { summary: 'Removed upstream route: answers 410 gone' } }, gone);

  r.get(
    '/api/admin/device-approvals',
    {
      config: read,
      schema: {
        summary: 'Enrolment requests in my sites, newest first; status=wrong_code lists recorded wrong codes (admins)',
        querystring: DeviceApprovalListQuerySchema,
        response: { 200: DeviceApprovalListSchema },
      },
    },
    (request) => deps.approvals.list(sessionOf(request), request.query),
  );

  r.post(
    '/api/admin/device-approvals/:approval_id/approve',
    {
      config: decide,
      schema: {
        summary: 'Approve a pending enrolment, resolving a conflict when there is one (agent-protocol §2.5)',
        params: ApprovalIdParamsSchema,
        body: ApproveDeviceRequestSchema,
        response: { 200: DeviceApprovalSchema },
      },
    },
    (request) => deps.approvals.approve(sessionOf(request), request.params.approval_id, request.body, actorOf(request)),
  );

  r.post(
    '/api/admin/device-approvals/:approval_id/deny',
    {
      config: decide,
      schema: { summary: 'Deny a pending enrolment', params: ApprovalIdParamsSchema, body: DenyDeviceRequestSchema, response: { 200: DeviceApprovalSchema } },
    },
    (request) => deps.approvals.deny(sessionOf(request), request.params.approval_id, request.body, actorOf(request)),
  );
}
