// Domain errors with a stable code from the catalogue in @borealis/protocol. Services throw these;
// one Fastify error handler (http/error-handler.ts) turns them into the envelope.

import { ERROR_CODES, type ErrorCode, type ErrorDetail } from '@borealis/protocol';

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: readonly ErrorDetail[],
    /** Extra envelope fields such as `phase` or `retry_after`. */
    readonly extra?: Readonly<Record<string, string | number | readonly string[]>>,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_CODES[code];
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found') {
    super('not_found', message);
  }
}

export class ValidationError extends AppError {
  constructor(details: readonly ErrorDetail[]) {
    super('validation_failed', details.map((d) => `${d.path || '(body)'}: ${d.message}`).join('; '), details);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code: ErrorCode = 'conflict') {
    super(code, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You do not have permission to do this') {
    super('forbidden', message);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Sign in first') {
    super('unauthorized', message);
  }
}

export class LockedError extends AppError {
  constructor(code: Extract<ErrorCode, 'bootstrap_required' | 'auth_reset_required' | 'engine_locked' | 'aegis_locked'>, message: string, phase?: string) {
    super(code, message, undefined, phase ? { phase } : undefined);
  }
}

export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('rate_limited', `Too many attempts; retry in ${retryAfterSeconds} s`, undefined, { retry_after: retryAfterSeconds });
  }
}

export class UnavailableError extends AppError {
  constructor(message: string) {
    super('unavailable', message);
  }
}

/** 503 `server_busy`: capacity ran out for a moment (api.md); `Retry-After` says when to come back. */
export class ServerBusyError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('server_busy', message, undefined, { retry_after: retryAfterSeconds });
  }
}
