// TOTP second factor (security.md §4.4, RFC 6238): HMAC-SHA1, 6 digits, 30 s steps, window ±1.
// Seeds, the otpauth:// URI and its QR code; replay protection is the caller's conditional UPDATE.

import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { toDataURL } from 'qrcode';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one (clock drift between phone and server). */
export const TOTP_WINDOW = 1;
const SEED_BYTES = 20;

/** A fresh seed: 20 random bytes as base32 without padding (exactly 32 characters). */
export function newTotpSecret(): string {
  return new Secret({ buffer: toArrayBuffer(randomBytes(SEED_BYTES)) }).base32.replace(/=+$/, '');
}

/**
 * `otpauth://totp/<issuer>:<username>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`, each
 * part URI-encoded. Built by hand because the spec fixes the parameter order.
 */
export function totpUri(input: { issuer?: string; username: string; secret: string }): string {
  const issuer = encodeURIComponent(input.issuer ?? 'Borealis');
  const username = encodeURIComponent(input.username);
  const secret = encodeURIComponent(input.secret);
  return `otpauth://totp/${issuer}:${username}?secret=${secret}&issuer=${issuer}&algorithm=SHA1&digits=${TOTP_DIGITS}&period=${TOTP_PERIOD_SECONDS}`;
}

/** The URI as a PNG `data:image/png;base64,…` URL for the enrolment screen. */
export function totpQrDataUrl(uri: string): Promise<string> {
  return toDataURL(uri, { type: 'image/png', errorCorrectionLevel: 'M', margin: 2 });
}

/**
 * The time step (Unix seconds / 30) whose code matches, within ±1 step of `now`, or null. Anything
 * but exactly six ASCII digits is null. The caller accepts the step only if it is greater than the
 * user's `totp_last_step` (`isFreshStep`), in the same UPDATE that stores it.
 */
export function matchTotp(input: { secret: string; code: string; now: Date }): number | null {
  if (!/^[0-9]{6}$/.test(input.code)) return null;
  const timestamp = input.now.getTime();
  const delta = totp(input.secret).validate({ token: input.code, timestamp, window: TOTP_WINDOW });
  return delta === null ? null : stepAt(input.now) + delta;
}

/** Replay rule: a step is usable only if it is later than the last one accepted for the user. */
export function isFreshStep(step: number, lastStep: number | null | undefined): boolean {
  return lastStep === null || lastStep === undefined || step > lastStep;
}

/** The code an authenticator shows at `date` (tests, and the simulator of a phone). */
export function totpCodeAt(secret: string, date: Date): string {
  return totp(secret).generate({ timestamp: date.getTime() });
}

/** RFC 6238 step number of `date`. */
export function stepAt(date: Date): number {
  return Math.floor(date.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

function totp(secret: string): TOTP {
  return new TOTP({
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  });
}

// Buffers from randomBytes may be views into a shared pool; the Secret must own exactly its bytes.
function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return copy;
}
