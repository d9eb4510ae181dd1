// argon2id hashing: PHC format and parameters, verification, rehash detection, the busy semaphore
// and the one-verification dummy path of security.md §4.2.

import { describe, expect, it } from 'vitest';
import { AppError } from '../../../errors';
import { createPasswordHasher, MIN_ARGON2_PARAMS } from './password-hasher';

// The cheapest configuration the spec allows keeps the suite fast; the default is tested once.
const cheap = { params: MIN_ARGON2_PARAMS };
const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

describe('password hasher', () => {
  it('hashes with the default parameters into an argon2id PHC string with a 16-byte salt and 32-byte digest', async () => {
    const hasher = createPasswordHasher();
    const phc = await hasher.hash('correct horse battery');
    expect(phc.startsWith('$argon2id$v=19$m=65536,t=2,p=1$')).toBe(true);
    const match = PHC.exec(phc);
    expect(match).not.toBeNull();
    expect(Buffer.from(match![4]!, 'base64')).toHaveLength(16);
    expect(Buffer.from(match![5]!, 'base64')).toHaveLength(32);
    expect(await hasher.verify(phc, 'correct horse battery')).toBe(true);
    expect(hasher.needsRehash(phc)).toBe(false);
  });

  it('salts every hash, so one password gives two different strings', async () => {
    const hasher = createPasswordHasher(cheap);
    expect(await hasher.hash('same password here')).not.toBe(await hasher.hash('same password here'));
  });

  it('verifies the right password as true and a wrong one as false', async () => {
    const hasher = createPasswordHasher(cheap);
    const phc = await hasher.hash('Tr0ub4dour&3 plus more');
    expect(await hasher.verify(phc, 'Tr0ub4dour&3 plus more')).toBe(true);
    expect(await hasher.verify(phc, 'tr0ub4dour&3 plus more')).toBe(false);
    expect(await hasher.verify(phc, '')).toBe(false);
  });

  it('verifies a password typed in decomposed form (NFD) against its composed hash', async () => {
    const hasher = createPasswordHasher(cheap);
    const phc = await hasher.hash('crème brûlée for two');
    expect(await hasher.verify(phc, 'crème brûlée for two'.normalize('NFD'))).toBe(true);
  });

  it('asks for a rehash of a hash made with m=19456 once the configured cost is the default', async () => {
    const weak = await createPasswordHasher(cheap).hash('an older password');
    expect(weak).toContain('$m=19456,t=2,p=1$');
    const current = createPasswordHasher({ params: { memoryCost: 65536, timeCost: 2, parallelism: 1 } });
    expect(current.needsRehash(weak)).toBe(true);
    expect(createPasswordHasher(cheap).needsRehash(weak)).toBe(false);
    expect(createPasswordHasher({ params: { ...MIN_ARGON2_PARAMS, timeCost: 3 } }).needsRehash(weak)).toBe(true);
  });

  it('refuses settings below m=19456, t=2 when the hasher is made', () => {
    expect(() => createPasswordHasher({ params: { memoryCost: 19455, timeCost: 2, parallelism: 1 } })).toThrow(RangeError);
    expect(() => createPasswordHasher({ params: { memoryCost: 65536, timeCost: 1, parallelism: 1 } })).toThrow(RangeError);
    expect(() => createPasswordHasher({ params: { memoryCost: 65536, timeCost: 2, parallelism: 0 } })).toThrow(RangeError);
    expect(() => createPasswordHasher({ concurrency: 0 })).toThrow(RangeError);
    expect(() => createPasswordHasher({ params: { memoryCost: 131072, timeCost: 3, parallelism: 2 } })).not.toThrow();
  });

  it('with concurrency 1 and 2 waiting, rejects exactly 2 of 5 simultaneous hashes with unavailable and retry_after 1', async () => {
    const hasher = createPasswordHasher({ ...cheap, concurrency: 1, maxWaiting: 2 });
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => hasher.hash(`password number ${i}`)));
    const rejected = results.filter((r) => r.status === 'rejected');
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    expect(rejected).toHaveLength(2);
    expect(fulfilled).toHaveLength(3);
    for (const r of rejected) {
      const error: unknown = r.reason;
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'unavailable', status: 503, extra: { retry_after: 1 } });
    }
    expect(hasher.stats().hashes).toBe(3);
  });

  it('frees queue slots as work finishes, so a later burst within the limit all succeeds', async () => {
    const hasher = createPasswordHasher({ ...cheap, concurrency: 1, maxWaiting: 2 });
    await Promise.allSettled(Array.from({ length: 5 }, () => hasher.hash('first burst password')));
    const second = await Promise.allSettled(Array.from({ length: 3 }, () => hasher.hash('second burst password')));
    expect(second.every((r) => r.status === 'fulfilled')).toBe(true);
  });

  it('spends exactly one argon2 verification on the dummy path, as a real sign-in does', async () => {
    const hasher = createPasswordHasher(cheap);
    expect(hasher.stats()).toEqual({ verifications: 0, hashes: 0 });
    await hasher.verifyDummy('whatever was typed in');
    expect(hasher.stats()).toEqual({ verifications: 1, hashes: 0 });
    const phc = await hasher.hash('a real user password');
    await hasher.verify(phc, 'a real user password');
    expect(hasher.stats()).toEqual({ verifications: 2, hashes: 1 });
  });
});
