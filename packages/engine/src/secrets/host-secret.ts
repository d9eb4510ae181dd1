// The host secret (security.md §8.2): 32 random bytes in secrets/engine_secret.txt (0600), made at
// first start. Purpose keys are derived from it with HKDF-SHA256 (info `borealis-<purpose>-v1`).

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureDir } from '../runtime-paths';

export type HostKeyPurpose = 'seal' | 'csrf' | 'enrollment-code' | 'dpop-nonce' | 'key-grant';

export interface HostSecret {
  /** HMAC-SHA256 under the purpose key. */
  hmac(purpose: Exclude<HostKeyPurpose, 'seal'>, data: string | Buffer): Buffer;
  /** `sealed:v1:` AES-256-GCM under the seal key, bound to `<table>/<column>/<row_id>`. */
  seal(ad: string, plaintext: Buffer): string;
  unseal(ad: string, sealed: string): Buffer;
}

export interface HostSecretFile {
  readonly secret: HostSecret;
  readonly created: boolean;
  /** Mode was looser than 0600 and has been tightened. */
  readonly tightened: boolean;
}

export function loadOrCreateHostSecret(path: string): HostSecretFile {
  ensureDir(dirname(path), { secret: true });
  let created = false;
  let tightened = false;
  if (!existsSync(path)) {
    try {
      writeFileSync(path, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
      created = true;
    } catch (err) {
      // Another node sharing this file created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  } else if ((statSync(path).mode & 0o077) !== 0) {
    // writeFileSync's mode applies only when it creates the file, so an existing one is chmod'ed.
    chmodSync(path, 0o600);
    tightened = true;
  }
  const raw = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
  if (raw.length !== 32) throw new Error(`${path} does not hold a 32-byte base64url secret`);
  return { secret: createHostSecret(raw), created, tightened };
}

export function createHostSecret(raw: Buffer): HostSecret {
  const keys = new Map<HostKeyPurpose, Buffer>();
  const key = (purpose: HostKeyPurpose): Buffer => {
    let k = keys.get(purpose);
    if (!k) {
      k = Buffer.from(hkdfSync('sha256', raw, Buffer.alloc(0), `borealis-${purpose}-v1`, 32));
      keys.set(purpose, k);
    }
    return k;
  };
  return {
    hmac: (purpose, data) => createHmac('sha256', key(purpose)).update(data).digest(),
    seal(ad, plaintext) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key('seal'), nonce);
      cipher.setAAD(Buffer.from(ad, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return `sealed:v1:${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64')}`;
    },
    unseal(ad, sealed) {
      if (!sealed.startsWith('sealed:v1:')) throw new Error('not a sealed value');
      const data = Buffer.from(sealed.slice('sealed:v1:'.length), 'base64');
      if (data.length < 28) throw new Error('sealed value too short');
      const decipher = createDecipheriv('aes-256-gcm', key('seal'), data.subarray(0, 12));
      decipher.setAAD(Buffer.from(ad, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - 16));
      return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
    },
  };
}
