// User administration routes (security.md §4.1, §7.1): all operator-admin with `user_manage` (†),
// enforced centrally by http/access-control.ts before these handlers run.

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CreateUserRequestSchema,
  MfaActionRequestSchema,
  ResetPasswordRequestSchema,
  RoleChangeRequestSchema,
  SessionsRevokedSchema,
  SiteAssignmentSelectionRequestSchema,
  SiteAssignmentSelectionSchema,
  SiteAssignRequestSchema,
  UserListSchema,
  UserSchema,
} from '@borealis/protocol';
import { actorOf } from '../../http/access-control';
import type { DomainDeps } from '../domain-deps';
import { UsernameParamsSchema } from './schema';
import { assignmentsFromBody, createSiteAssignmentService } from './site-assignment-service';
import { createUserService } from './user-service';

const admin = { auth: 'operator-admin', permission: 'user_manage', group: 'users' } as const;

export function registerUserRoutes(app: FastifyInstance, deps: DomainDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const users = createUserService(deps);
  const siteAssignments = createSiteAssignmentService(deps);
  const params = UsernameParamsSchema;

  r.get('/api/users', { config: admin, schema: { summary: 'List operators', response: { 200: UserListSchema } } }, async () => ({ users: await users.list() }));

  r.post(
    '/api/users',
    { config: admin, schema: { summary: 'Create an operator', body: CreateUserRequestSchema, response: { 201: UserSchema } } },
    async (request, reply) => reply.code(201).send(await users.create(request.body, actorOf(request))),
  );

  r.delete(
    '/api/users/:username',
    { config: admin, schema: { summary: 'Delete an operator (not yourself, not the last admin)', params, response: { 204: z.undefined() } } },
    async (request, reply) => {
      await users.remove(request.params.username, actorOf(request));
      return reply.code(204).send();
    },
  );

  r.post(
    '/api/users/:username/reset_password',
    {
      config: admin,
      schema: { summary: 'Set a new password the user must change; optionally remove their second factors', params, body: ResetPasswordRequestSchema, response: { 200: UserSchema } },
    },
    (request) => users.resetPassword(request.params.username, request.body, actorOf(request)),
  );

  r.post(
    '/api/users/:username/role',
    { config: admin, schema: { summary: "Change an operator's role", params, body: RoleChangeRequestSchema, response: { 200: UserSchema } } },
    (request) => users.changeRole(request.params.username, request.body.role, actorOf(request)),
  );

  r.post(
    '/api/users/:username/mfa',
    { config: admin, schema: { summary: 'Reset second factors, or exempt from / require MFA', params, body: MfaActionRequestSchema, response: { 200: UserSchema } } },
    (request) => users.changeMfa(request.params.username, request.body.action, actorOf(request)),
  );

  r.post(
    '/api/users/:username/sessions/revoke',
    { config: admin, schema: { summary: 'Revoke every session of an operator', params, response: { 200: SessionsRevokedSchema } } },
    async (request) => ({ revoked: await users.revokeAllSessions(request.params.username, actorOf(request)) }),
  );

  r.post(
    '/api/user_site_assignments/assign',
    { config: admin, schema: { summary: "Replace an operator's site assignments", body: SiteAssignRequestSchema, response: { 200: UserSchema } } },
    (request) => siteAssignments.assign(request.body.username, assignmentsFromBody(request.body), actorOf(request)),
  );

  r.post(
    '/api/user_site_assignments/selection',
    {
      config: admin,
      schema: { summary: 'Site assignments of the selected operators', body: SiteAssignmentSelectionRequestSchema, response: { 200: SiteAssignmentSelectionSchema } },
    },
    (request) => siteAssignments.selection(request.body.usernames),
  );
}
