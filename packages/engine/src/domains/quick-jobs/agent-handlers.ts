// The agent side of quick jobs: quick_job_progress and quick_job_result on /agent (agent-protocol
// §5.3, §6.5, §6.6) and POST /api/agent/jobs/:job_id/result for results over 512 KiB.

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { QuickJobProgressSchema, QuickJobResultSchema } from '@borealis/protocol/agent';
import { AppError, UnauthorizedError } from '../../errors';
import { ackError, type AgentNamespace } from '../../realtime/agent-namespace';
import { gunzipAgentBody } from '../agent/agent-body';
import type { FanIn } from './fan-in';

/** Two capped streams of up to 16 MiB each, JSON-escaped, plus the envelope. */
export const RESULT_BODY_LIMIT = 40 * 1024 * 1024;

export function installAgentJobHandlers(sockets: AgentNamespace, fanIn: FanIn): void {
  sockets.handle('quick_job_progress', async (_socket, data, payload, ack) => {
    if (!data.registered) return ack?.(ackError('not_registered', 'send connect_agent first'));
    const parsed = QuickJobProgressSchema.safeParse(payload);
    if (!parsed.success) return ack?.(ackError('validation_failed', parsed.error.issues[0]?.message ?? 'invalid progress'));
    const outcome = await fanIn.progress(data.device.guid, parsed.data);
    ack?.(outcome === 'ok' ? { ok: true } : ackError('unknown_job', 'no such job for this device'));
  });

  sockets.handle('quick_job_result', async (_socket, data, payload, ack) => {
    if (!data.registered) return ack?.(ackError('not_registered', 'send connect_agent first'));
    const parsed = QuickJobResultSchema.safeParse(payload);
    if (!parsed.success) return ack?.(ackError('validation_failed', parsed.error.issues[0]?.message ?? 'invalid result'));
    const outcome = await fanIn.result(data.device.guid, parsed.data);
    ack?.(outcome === 'ok' ? { ok: true } : ackError('unknown_job', 'no such job for this device'));
  });
}

export function registerAgentJobRoutes(app: FastifyInstance, fanIn: FanIn): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post('/api/agent/jobs/:job_id/result', {
    config: { auth: 'device', permission: 'device', group: 'agent' },
    bodyLimit: RESULT_BODY_LIMIT,
    preParsing: gunzipAgentBody,
    schema: {
      summary: 'Upload a job result too large for the socket event (the 200 is the ack)',
      params: z.object({ job_id: z.string().uuid() }),
      body: QuickJobResultSchema,
      response: { 200: z.object({ ok: z.literal(true) }) },
    },
    handler: async (request) => {
      const device = request.device;
      if (!device) throw new UnauthorizedError('Device authentication required');
      if (request.body.job_id !== request.params.job_id) throw new AppError('validation_failed', 'job_id in the body must match the path', [{ path: 'job_id', message: 'mismatch' }]);
      const outcome = await fanIn.result(device.guid, request.body);
      if (outcome !== 'ok') throw new AppError('unknown_job', 'No such job for this device');
      return { ok: true as const };
    },
  });
}
