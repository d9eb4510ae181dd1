// Same-origin JSON client: fetches an engine path, validates the body, and says what went wrong.
import { ErrorEnvelopeSchema } from '@borealis/protocol';

/** What a zod schema offers; typed structurally so this module need not depend on zod. */
export interface BodySchema<T> {
  safeParse(input: unknown): { success: true; data: T } | { success: false };
}

export type ApiErrorKind = 'network' | 'http' | 'invalid_body';

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status: number | undefined;

  constructor(kind: ApiErrorKind, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ApiError';
    this.kind = kind;
    this.status = options.status;
  }
}

export interface GetJsonOptions {
  readonly signal?: AbortSignal;
  /** Non-2xx statuses whose body is still data (e.g. 503 from /health). */
  readonly dataStatuses?: readonly number[];
}

export async function getJson<T>(path: string, schema: BodySchema<T>, options: GetJsonOptions = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError('network', 'The engine did not answer.', { cause: error });
  }

  const body = await readJson(response);
  const isData = response.ok || (options.dataStatuses ?? []).includes(response.status);
  if (!isData) {
    const envelope = ErrorEnvelopeSchema.safeParse(body);
    const reason = envelope.success
      ? envelope.data.error.message
      : 'the engine, or a proxy in front of it, answered with an error.';
    const message = `HTTP ${response.status}: ${reason}`;
    throw new ApiError('http', message, { status: response.status });
  }
  if (body === undefined) {
    throw new ApiError('invalid_body', 'The engine sent a body that is not JSON.', { status: response.status });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError('invalid_body', 'The engine sent a body this WebUI does not understand.', {
      status: response.status,
    });
  }
  return parsed.data;
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return (await response.json()) as unknown;
  } catch {
    // Not JSON (an empty 502 from a proxy, an HTML page): callers report it by status or as invalid_body.
    return undefined;
  }
}
