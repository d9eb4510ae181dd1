// Same-origin JSON client: fetches an engine path, validates the body, sends the CSRF token on
// unsafe requests, and turns the engine's error envelope into an ApiError a screen can act on.
import { type ErrorDetail, ErrorEnvelopeSchema } from '@borealis/protocol';

/** What a zod schema offers; typed structurally so this module need not depend on zod. */
export interface BodySchema<T> {
  safeParse(input: unknown): { success: true; data: T } | { success: false };
}

/** For routes that answer 204: there is no body to check. */
export const NO_CONTENT: BodySchema<void> = { safeParse: () => ({ success: true, data: undefined }) };

export type ApiErrorKind = 'network' | 'http' | 'invalid_body';

export interface ApiErrorOptions {
  readonly status?: number;
  readonly cause?: unknown;
  readonly code?: string;
  readonly details?: readonly ErrorDetail[];
  readonly phase?: string;
  readonly reason?: string;
  readonly retryAfter?: number;
}

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status: number | undefined;
  /** The stable error code of the envelope (`invalid_credentials`, `bootstrap_required`, …). */
  readonly code: string | undefined;
  readonly details: readonly ErrorDetail[];
  /** Gate phase sent with `bootstrap_required` and `invalid_phase`. */
  readonly phase: string | undefined;
  /** Which rule failed, e.g. `too_short` with `password_policy`. */
  readonly reason: string | undefined;
  /** Seconds to wait after `rate_limited`. */
  readonly retryAfter: number | undefined;

  constructor(kind: ApiErrorKind, message: string, options: ApiErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'ApiError';
    this.kind = kind;
    this.status = options.status;
    this.code = options.code;
    this.details = options.details ?? [];
    this.phase = options.phase;
    this.reason = options.reason;
    this.retryAfter = options.retryAfter;
  }
}

/** True when `error` is an ApiError carrying one of the given envelope codes. */
export function isApiError(error: unknown, ...codes: readonly string[]): error is ApiError {
  return error instanceof ApiError && (codes.length === 0 || (error.code !== undefined && codes.includes(error.code)));
}

export interface RequestOptions {
  readonly signal?: AbortSignal;
  /** Non-2xx statuses whose body is still data (e.g. 503 from /health). */
  readonly dataStatuses?: readonly number[];
  /** Polling: tells the engine this request is not operator activity (no idle-timeout extension). */
  readonly background?: boolean;
  /** Extra request headers, e.g. `if-match` for an optimistic-concurrency update. */
  readonly headers?: Readonly<Record<string, string>>;
}

export const CSRF_COOKIE = 'borealis_csrf';

/** The CSRF token the engine keeps in a readable cookie; read per request because it rotates. */
export function readCsrfToken(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CSRF_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

export function getJson<T>(path: string, schema: BodySchema<T>, options: RequestOptions = {}): Promise<T> {
  return request('GET', path, undefined, schema, options);
}

export type UnsafeMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** An unsafe request; `body` undefined sends none (DELETE), otherwise it goes as JSON. */
export function sendJson<T>(
  method: UnsafeMethod,
  path: string,
  body: unknown,
  schema: BodySchema<T>,
  options: RequestOptions = {},
): Promise<T> {
  return request(method, path, body, schema, options);
}

async function request<T>(
  method: 'GET' | UnsafeMethod,
  path: string,
  body: unknown,
  schema: BodySchema<T>,
  options: RequestOptions,
): Promise<T> {
  const headers: Record<string, string> = { ...options.headers, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (options.background) headers['x-borealis-background'] = '1';
  if (method !== 'GET') {
    const csrf = readCsrfToken();
    if (csrf) headers['x-csrf-token'] = csrf;
  }

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError('network', 'The engine did not answer. Check that it is running and reachable.', {
      cause: error,
    });
  }

  const payload = response.status === 204 ? undefined : await readJson(response);
  const isData = response.ok || (options.dataStatuses ?? []).includes(response.status);
  if (!isData) throw errorFromResponse(response, payload);
  if (payload === undefined && schema !== NO_CONTENT) {
    throw new ApiError('invalid_body', 'The engine sent a body that is not JSON.', { status: response.status });
  }
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    throw new ApiError('invalid_body', 'The engine sent a body this WebUI does not understand.', {
      status: response.status,
    });
  }
  return parsed.data;
}

function errorFromResponse(response: Response, payload: unknown): ApiError {
  const envelope = ErrorEnvelopeSchema.safeParse(payload);
  if (!envelope.success) {
    return new ApiError(
      'http',
      `HTTP ${response.status}: the engine, or a proxy in front of it, answered with an error.`,
      { status: response.status },
    );
  }
  const { error } = envelope.data;
  const headerRetry = Number(response.headers.get('retry-after'));
  const reason: unknown = error.reason;
  return new ApiError('http', error.message, {
    status: response.status,
    code: error.code,
    details: error.details,
    phase: error.phase,
    reason: typeof reason === 'string' ? reason : undefined,
    retryAfter: error.retry_after ?? (Number.isFinite(headerRetry) && headerRetry > 0 ? headerRetry : undefined),
  });
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return (await response.json()) as unknown;
  } catch {
    // Not JSON (an empty 502 from a proxy, an HTML page): callers report it by status or as invalid_body.
    return undefined;
  }
}
