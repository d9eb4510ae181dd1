// The one place that writes the error envelope (spec/api.md): AppError keeps its code, zod
// failures become 422 with field paths, bad JSON 400, anything unexpected 500 with no detail.

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ErrorCode, ErrorDetail, ErrorEnvelope } from '@borealis/protocol';
import { AppError } from '../errors';

export function sendError(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  code: ErrorCode,
  message: string,
  details?: readonly ErrorDetail[],
  extra?: Readonly<Record<string, string | number | readonly string[]>>,
): FastifyReply {
  const body: ErrorEnvelope = {
    error: { code, message, ...(details?.length ? { details: [...details] } : {}), ...extra, request_id: request.id },
  };
  if ((code === 'rate_limited' || code === 'server_busy') && typeof extra?.retry_after === 'number') reply.header('retry-after', String(extra.retry_after));
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      return sendError(reply, request, error.status, error.code, error.message, error.details, error.extra);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const context = error.validationContext;
      const details = error.validation.map((v) => {
        const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
        const full = context && context !== 'body' ? [contextName(context), path].filter(Boolean).join('.') : path;
        return { path: full, message: v.message ?? 'is invalid' };
      });
      const message = details.map((d) => `${d.path || contextName(context ?? 'body')}: ${d.message}`).join('; ');
      return sendError(reply, request, 422, 'validation_failed', message, details);
    }
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendError(reply, request, 400, 'invalid_json', 'The request body is not valid JSON');
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendError(reply, request, 413, 'payload_too_large', 'The request body is too large');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendError(reply, request, 400, 'invalid_request', 'Send the body as application/json');
    }
    if (error instanceof SyntaxError && error.statusCode === 400) {
      return sendError(reply, request, 400, 'invalid_json', 'The request body is not valid JSON');
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendError(reply, request, 400, 'invalid_request', 'The request is malformed');
    }
    request.log.error({ err: error, request_id: request.id }, 'unhandled error');
    return sendError(reply, request, 500, 'internal_error', `Something went wrong on the engine; quote request id ${request.id} to your administrator`);
  });
}

function contextName(context: string): string {
  return context === 'querystring' ? 'query' : context;
}
