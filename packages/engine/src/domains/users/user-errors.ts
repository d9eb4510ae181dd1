// Errors the user administration services share.

import { NotFoundError } from '../../errors';

export function userNotFound(): NotFoundError {
  return new NotFoundError('No such user');
}

/** A PostgreSQL (or PGlite) unique-constraint violation, SQLSTATE 23505. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === '23505';
}
