// Maps an engine error onto the fields of a form: `details[].path` names the body field, and a few
// codes (wrong token, wrong password) belong to one field even without details.
import { ApiError } from './api-client';

export type FieldErrors<F extends string> = Partial<Record<F, string>>;

/**
 * `paths` maps body paths (`password`, `cipher`) to form fields; `codes` maps error codes to the
 * field they are about. Whatever matches nothing is left for a form-level alert.
 */
export function fieldErrorsOf<F extends string>(
  error: unknown,
  paths: Readonly<Partial<Record<string, F>>>,
  codes: Readonly<Partial<Record<string, F>>> = {},
): FieldErrors<F> {
  if (!(error instanceof ApiError)) return {};
  const errors: FieldErrors<F> = {};
  for (const detail of error.details) {
    const field = paths[detail.path];
    if (field && errors[field] === undefined) errors[field] = sentence(detail.message);
  }
  const byCode = error.code === undefined ? undefined : codes[error.code];
  if (byCode && errors[byCode] === undefined) errors[byCode] = error.message;
  return errors;
}

/** True when fieldErrorsOf placed the error on some field, so no separate alert is needed. */
export function isOnAField(errors: FieldErrors<string>): boolean {
  return Object.values(errors).some((message) => message !== undefined);
}

function sentence(message: string): string {
  return message.length > 0 ? message[0]!.toUpperCase() + message.slice(1) : message;
}
