// argon2id password hashing (security.md §4.2): async libuv work behind a bounded semaphore, so a
// burst of sign-ins queues instead of exhausting memory, and "no such user" costs one verification.

import { randomBytes } from 'node:crypto';
import { hash as argonHash, parseOptions, verify as argonVerify } from '@node-rs/argon2';
import { AppError } from '../../../errors';

export interface Argon2Params {
  /** KiB of memory (`m=` in the PHC string). */
  readonly memoryCost: number;
  /** Passes (`t=`). */
  readonly timeCost: number;
  /** Lanes (`p=`). */
  readonly parallelism: number;
}

export const DEFAULT_ARGON2_PARAMS: Argon2Params = Object.freeze({ memoryCost: 65536, timeCost: 2, parallelism: 1 });

/** The floor settings may not go under (OWASP's argon2id minimum, spec §4.2). */
export const MIN_ARGON2_PARAMS: Argon2Params = Object.freeze({ memoryCost: 19456, timeCost: 2, parallelism: 1 });

const OUTPUT_BYTES = 32;
const SALT_BYTES = 16;

export interface PasswordHasherStats {
  /** argon2 verifications started (real and dummy). */
  readonly verifications: number;
  /** argon2 hashes started. */
  readonly hashes: number;
}

export interface PasswordHasher {
  /** A PHC string `$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>` of the NFC-normalised password. */
  hash(password: string): Promise<string>;
  verify(phc: string, password: string): Promise<boolean>;
  /** True when the stored hash is weaker than the configured parameters (rehash after a good sign-in). */
  needsRehash(phc: string): boolean;
  /** Costs exactly what `verify` costs and never succeeds: the "no such user" path. */
  verifyDummy(password: string): Promise<void>;
  stats(): PasswordHasherStats;
}

export function createPasswordHasher(
  deps: { concurrency?: number; maxWaiting?: number; params?: Argon2Params } = {},
): PasswordHasher {
  const concurrency = deps.concurrency ?? 2;
  const maxWaiting = deps.maxWaiting ?? 64;
  const params = Object.freeze({ ...(deps.params ?? DEFAULT_ARGON2_PARAMS) });
  assertParams(params, concurrency, maxWaiting);

  const options = {
    memoryCost: params.memoryCost,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
    outputLen: OUTPUT_BYTES,
    // algorithm and version are left at the library defaults (argon2id, v=19): its enums are
    // ambient const enums, which isolatedModules cannot reference. The tests pin the PHC prefix.
  };
  const gate = createSemaphore(concurrency, maxWaiting);
  // Verification cost depends only on the parameters in the PHC string, not on whether it matches,
  // so a random salt and random digest give a verification identical in cost to a real user's,
  // without spending a hash at start and without any password that could ever match it.
  const dummyPhc = `$argon2id$v=19$m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}$${b64(randomBytes(SALT_BYTES))}$${b64(randomBytes(OUTPUT_BYTES))}`;
  let verifications = 0;
  let hashes = 0;

  const verifyGated = (phc: string, password: string): Promise<boolean> =>
    gate.run(() => {
      verifications += 1;
      return argonVerify(phc, nfc(password));
    });

  return {
    hash: (password) =>
      gate.run(() => {
        hashes += 1;
        return argonHash(nfc(password), { ...options, salt: randomBytes(SALT_BYTES) });
      }),
    verify: verifyGated,
    needsRehash(phc) {
      const parsed = parseOptions(phc);
      return (
        !phc.startsWith('$argon2id$') ||
        parsed.memoryCost < params.memoryCost ||
        parsed.timeCost < params.timeCost ||
        parsed.parallelism < params.parallelism
      );
    },
    async verifyDummy(password) {
      await verifyGated(dummyPhc, password);
    },
    stats: () => ({ verifications, hashes }),
  };
}

function assertParams(params: Argon2Params, concurrency: number, maxWaiting: number): void {
  const isInt = (n: number, min: number) => Number.isInteger(n) && n >= min;
  if (!isInt(params.memoryCost, MIN_ARGON2_PARAMS.memoryCost) || !isInt(params.timeCost, MIN_ARGON2_PARAMS.timeCost)) {
    throw new RangeError(
      `argon2 parameters below the floor m=${MIN_ARGON2_PARAMS.memoryCost},t=${MIN_ARGON2_PARAMS.timeCost}: m=${params.memoryCost},t=${params.timeCost}`,
    );
  }
  if (!isInt(params.parallelism, 1) || params.parallelism > 255) {
    throw new RangeError(`argon2 parallelism must be an integer 1–255, got ${params.parallelism}`);
  }
  if (!isInt(concurrency, 1)) throw new RangeError(`hash concurrency must be an integer ≥ 1, got ${concurrency}`);
  if (!isInt(maxWaiting, 0)) throw new RangeError(`hash queue limit must be an integer ≥ 0, got ${maxWaiting}`);
}

/** At most `limit` tasks run at once and `maxWaiting` wait; anyone past that is told to retry. */
function createSemaphore(limit: number, maxWaiting: number) {
  let active = 0;
  const waiting: Array<() => void> = [];

  const acquire = async (): Promise<void> => {
    if (active < limit) {
      active += 1;
      return;
    }
    if (waiting.length >= maxWaiting) {
      throw new AppError('unavailable', 'Sign-in is busy; retry in a second', undefined, { retry_after: 1 });
    }
    // The releasing task hands its slot straight to us, so `active` is unchanged.
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else active -= 1;
  };

  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      await acquire();
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}

// Passwords are hashed in NFC so the same password typed on systems that compose characters
// differently (macOS input is often NFD) still verifies; the policy counts NFC code points too.
function nfc(password: string): string {
  return password.normalize('NFC');
}

// PHC strings use standard base64 without padding.
function b64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}
