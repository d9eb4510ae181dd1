// What pino must never write: secret headers and secret-looking keys (security.md §11).

export const REDACTED = '[redacted]';

const SECRET_HEADERS = [
  'authorization',
  'cookie',
  'x-csrf-token',
  'x-borealis-setup-token',
  'dpop',
  'x-borealis-internal-token',
];

export const SECRET_KEYS = [
  'password',
  'current_password',
  'new_password',
  'cipher',
  'current_cipher',
  'new_cipher',
  'passphrase',
  'secret',
  'secrets',
  'token',
  'access_token',
  'refresh_token',
  'pending_token',
  'setup_token',
  'csrf_token',
  'recovery_code',
  'recovery_codes',
  'private_key',
  'private_key_passphrase',
  'become_password',
  'bind_password',
  'enrollment_code',
  'otpauth_url',
  'qr_png_data_url',
  'databaseUrl',
  'database_url',
] as const;

/** pino `redact.paths`: headers by name, keys at each of the first four nesting levels. */
export function redactionPaths(): string[] {
  const paths = SECRET_HEADERS.map((h) => `req.headers[${JSON.stringify(h)}]`);
  paths.push('res.headers["set-cookie"]');
  for (const key of SECRET_KEYS) {
    paths.push(key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`);
  }
  return paths;
}
