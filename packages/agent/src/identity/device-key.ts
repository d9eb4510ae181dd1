// The device identity: an Ed25519 key pair made on the host before any network call (§2.1), kept
// in agent.json as b64 PKCS#8 and SPKI DER, plus the fingerprints the protocol derives from it.

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { AgentIdentity } from '../config/agent-file-schema';

export interface DeviceKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** SPKI DER, 44 bytes for Ed25519. */
  readonly spkiDer: Buffer;
}

export interface Ed25519PublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
}

export function generateIdentity(): AgentIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    private_key_pkcs8_b64: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    public_key_spki_b64: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

/** Key objects for a stored identity (already checked by the agent.json schema). */
export function deviceKeyFromIdentity(identity: AgentIdentity): DeviceKey {
  const privateKey = createPrivateKey({ key: Buffer.from(identity.private_key_pkcs8_b64, 'base64'), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, spkiDer: publicKey.export({ format: 'der', type: 'spki' }) };
}

/** `ssl_key_fingerprint` (§0): lower-hex SHA-256 of the SPKI DER. */
export function sslKeyFingerprint(spkiDer: Uint8Array): string {
  return createHash('sha256').update(spkiDer).digest('hex');
}

/** The public key as a JWK, as it appears in DPoP proof headers (§3.2). */
export function publicJwk(publicKey: KeyObject): Ed25519PublicJwk {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an Ed25519 public key');
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
}

/** `jkt` (§0): RFC 7638 thumbprint, SHA-256 of the members in lexical order, base64url. */
export function jwkThumbprint(publicKey: KeyObject): string {
  const { crv, kty, x } = publicJwk(publicKey);
  return createHash('sha256').update(JSON.stringify({ crv, kty, x })).digest('base64url');
}
