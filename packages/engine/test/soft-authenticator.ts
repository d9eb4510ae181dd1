// A software WebAuthn authenticator for tests (security.md §12 asks for one): P-256 keys,
// "none" attestation, assertions with a counter and optional user verification.

import { createHash, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

/** Minimal CBOR: unsigned and negative integers, byte and text strings, maps. */
function cbor(value: unknown): Buffer {
  const head = (major: number, n: number): Buffer => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(n, 1);
    return b;
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, text.length), text]);
  }
  if (value instanceof Map) {
    const parts: Buffer[] = [head(5, value.size)];
    for (const [k, v] of value) parts.push(cbor(k), cbor(v));
    return Buffer.concat(parts);
  }
  throw new Error('unsupported CBOR value');
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();

interface Credential {
  readonly id: Buffer;
  readonly privateKey: KeyObject;
  readonly userHandle: string;
  readonly rpId: string;
  counter: number;
}

export interface SoftAuthenticatorOptions {
  /** Whether the authenticator verifies the user (PIN or biometric); default true. */
  userVerification?: boolean;
}

export function createSoftAuthenticator(settings: SoftAuthenticatorOptions = {}) {
  const credentials: Credential[] = [];
  const uv = () => settings.userVerification ?? true;
  const flags = (attested: boolean) => 0x01 | (uv() ? 0x04 : 0) | (attested ? 0x40 : 0);

  return {
    credentials,
    setUserVerification(value: boolean) {
      settings.userVerification = value;
    },

    /** navigator.credentials.create() for options from /register/options. */
    create(options: { challenge: string; rp: { id?: string }; user: { id: string } }, origin: string) {
      const rpId = options.rp.id ?? new URL(origin).hostname;
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwk = publicKey.export({ format: 'jwk' });
      const cose = cbor(new Map<number, unknown>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x!, 'base64url')], [-3, Buffer.from(jwk.y!, 'base64url')]]));
      const id = randomBytes(16);
      const counter = Buffer.alloc(4);
      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(id.length);
      const authData = Buffer.concat([sha256(rpId), Buffer.from([flags(true)]), counter, Buffer.alloc(16), idLength, id, cose]);
      const clientData = JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin, crossOrigin: false });
      credentials.push({ id, privateKey, userHandle: options.user.id, rpId, counter: 0 });
      return {
        id: id.toString('base64url'),
        rawId: id.toString('base64url'),
        type: 'public-key',
        response: {
          clientDataJSON: Buffer.from(clientData).toString('base64url'),
          attestationObject: cbor(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]])).toString('base64url'),
          transports: ['internal'],
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      };
    },

    /** navigator.credentials.get() for options from /authenticate/options. */
    get(options: { challenge: string; rpId?: string; allowCredentials?: Array<{ id: string }> }, origin: string, opts: { counterDelta?: number } = {}) {
      const allowed = options.allowCredentials?.map((c) => c.id) ?? [];
      const credential = credentials.find((c) => !allowed.length || allowed.includes(c.id.toString('base64url')));
      if (!credential) throw new Error('no matching credential');
      credential.counter += opts.counterDelta ?? 1;
      const counter = Buffer.alloc(4);
      counter.writeUInt32BE(Math.max(0, credential.counter));
      const authData = Buffer.concat([sha256(credential.rpId), Buffer.from([flags(false)]), counter]);
      const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin, crossOrigin: false }));
      const signature = createSign('sha256').update(Buffer.concat([authData, sha256(clientData)])).sign(credential.privateKey);
      return {
        id: credential.id.toString('base64url'),
        rawId: credential.id.toString('base64url'),
        type: 'public-key',
        response: {
          clientDataJSON: clientData.toString('base64url'),
          authenticatorData: authData.toString('base64url'),
          signature: signature.toString('base64url'),
          userHandle: credential.userHandle,
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      };
    },
  };
}
