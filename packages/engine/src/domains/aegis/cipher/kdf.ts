// Passphrase → key-encryption key and verify key (security.md §3.2): async scrypt over the NFC
// UTF-8 passphrase, split 32/32, plus the HMAC verification token that tells a wrong passphrase apart.

import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { decodeStrictBase64 } from './strict-base64';

export const AEGIS_KDF_NAME = 'scrypt';
export const AEGIS_SALT_BYTES = 16;
/** scrypt needs 128·N·r = 32 MiB here; the cap leaves headroom without letting a bad row ask for more. */
export const AEGIS_SCRYPT_MAXMEM = 64 * 1024 * 1024;
const VERIFY_LABEL = 'borealis-aegis-verify-v1';
const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

const SaltSchema = z.string().refine((s) => decodeStrictBase64(s)?.length === AEGIS_SALT_BYTES, {
  message: 'must be padded base64 of 16 bytes',
});

/** `aegis_cipher_state.kdf_params` as stored; only the spec's cost parameters are accepted. */
export const AegisKdfParamsSchema = z.strictObject({
  n: z.literal(32768),
  r: z.literal(8),
  p: z.literal(1),
  dk_len: z.literal(64),
  salt: SaltSchema,
});
export type AegisKdfParams = z.infer<typeof AegisKdfParamsSchema>;
export type AegisScryptCost = Omit<AegisKdfParams, 'salt'>;

export const AEGIS_SCRYPT_COST: Readonly<AegisScryptCost> = Object.freeze({ n: 32768, r: 8, p: 1, dk_len: 64 });

export interface AegisKeys {
  /** Bytes 0–31: wraps the data keys. Zero it once setup, unlock or a passphrase change ends. */
  readonly kek: Buffer;
  /** Bytes 32–63: only feeds the verification token. Zero it like the KEK. */
  readonly verifyKey: Buffer;
}

/** Fresh params with a new 16-byte salt, drawn at setup and at every passphrase change. */
export function newKdfParams(): AegisKdfParams {
  return { ...AEGIS_SCRYPT_COST, salt: randomBytes(AEGIS_SALT_BYTES).toString('base64') };
}

/** The salt of parsed params as bytes. */
export function kdfSalt(params: Pick<AegisKdfParams, 'salt'>): Buffer {
  const salt = decodeStrictBase64(params.salt);
  if (salt?.length !== AEGIS_SALT_BYTES) throw new RangeError('kdf salt must be padded base64 of 16 bytes');
  return salt;
}

/** Derives the KEK and verify key; runs on the libuv pool so unlock never blocks the event loop. */
export async function deriveAegisKeys(passphrase: string, salt: Buffer, params: AegisScryptCost = AEGIS_SCRYPT_COST): Promise<AegisKeys> {
  if (salt.length !== AEGIS_SALT_BYTES) throw new RangeError('kdf salt must be 16 bytes');
  const normalised = passphrase.normalize('NFC');
  // Own memory rather than the shared Buffer pool, so the passphrase bytes can be wiped afterwards.
  const secret = Buffer.alloc(Buffer.byteLength(normalised, 'utf8'));
  secret.write(normalised, 'utf8');
  let derived: Buffer | undefined;
  try {
    derived = await scryptAsync(secret, salt, params);
    const kek = Buffer.alloc(32);
    const verifyKey = Buffer.alloc(32);
    derived.copy(kek, 0, 0, 32);
    derived.copy(verifyKey, 0, 32, 64);
    return { kek, verifyKey };
  } finally {
    secret.fill(0);
    derived?.fill(0);
  }
}

/** Lower-hex HMAC-SHA256(verify key, `borealis-aegis-verify-v1`), stored as `verification_token`. */
export function verificationToken(verifyKey: Buffer): string {
  return createHmac('sha256', verifyKey).update(VERIFY_LABEL, 'utf8').digest('hex');
}

/** Constant-time check of a stored token; a token of another shape never matches. */
export function verificationMatches(verifyKey: Buffer, token: string): boolean {
  const expected = createHmac('sha256', verifyKey).update(VERIFY_LABEL, 'utf8').digest();
  if (!TOKEN_PATTERN.test(token)) return false;
  return timingSafeEqual(expected, Buffer.from(token, 'hex'));
}

function scryptAsync(secret: Buffer, salt: Buffer, cost: AegisScryptCost): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, cost.dk_len, { N: cost.n, r: cost.r, p: cost.p, maxmem: AEGIS_SCRYPT_MAXMEM }, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}
