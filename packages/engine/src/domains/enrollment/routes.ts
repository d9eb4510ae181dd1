// Enrolment routes (routes.tsv group `enrollment`): the agent's request and poll. No Authorization;
// every call carries a DPoP proof by the enrolling key. Per-address limits run before validation.

import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { EnrollPollRequestSchema, EnrollPollResponseSchema, EnrollRequestResponseSchema, EnrollRequestSchema } from '@borealis/protocol/agent';
import { DpopError, type EnrollmentService } from './enrollment-service';

const config = { auth: 'none', permission: 'public', group: 'enrollment' } as const;
/** agent-protocol §1: 256 KiB is the body limit of every agent route but details and results. */
const AGENT_BODY_LIMIT = 256 * 1024;

/** Adds the RFC 9449 challenge a DPoP failure carries (§3.2), then lets the error handler answer. */
async function withDpopChallenge<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DpopError) reply.header('www-authenticate', 'DPoP error="invalid_dpop_proof"');
    throw err;
  }
}

export function registerEnrollmentRoutes(app: FastifyInstance, deps: { readonly enrollment: EnrollmentService }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { enrollment } = deps;

  r.post(
    '/api/agent/enroll/request',
    {
      config,
      bodyLimit: AGENT_BODY_LIMIT,
      // Check 1 comes before the schema: a flood of junk is refused without parsing it.
      onRequest: async (request) => enrollment.limits.requestByAddress(request.ip),
      schema: { summary: 'Start or renew an enrolment request (agent-protocol §2.3)', body: EnrollRequestSchema, response: { 200: EnrollRequestResponseSchema } },
    },
    (request, reply) =>
      withDpopChallenge(reply, () => enrollment.request(request.body, request.headers.dpop, request.url, { ip: request.ip, requestId: request.id })),
  );

  r.post(
    '/api/agent/enroll/poll',
    {
      config,
      bodyLimit: AGENT_BODY_LIMIT,
      onRequest: async (request) => enrollment.limits.pollByAddress(request.ip),
      schema: { summary: 'Poll an enrolment request with a proof of possession; finalizes once (§2.4)', body: EnrollPollRequestSchema, response: { 200: EnrollPollResponseSchema } },
    },
    (request, reply) => withDpopChallenge(reply, () => enrollment.poll(request.body, request.headers.dpop, request.url, { ip: request.ip, requestId: request.id })),
  );
}
