// The device key and the identifiers derived from it (agent-protocol.md §0, §2.1, §4.1).

import { createPublicKey, sign, verify } from 'node:crypto';
import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeAgentRoot, removeAgentRoots } from '../../test/agent-root';
import { createAgentStore } from '../state/agent-store';
import { deviceKeyFromIdentity, generateIdentity, jwkThumbprint, sslKeyFingerprint } from './device-key';
import { ensureIdentity } from './ensure-identity';

afterEach(removeAgentRoots);

async function configuredStore() {
  const store = createAgentStore({ paths: makeAgentRoot() });
  await store.update(() => ({ schema_version: 1, server_url: 'https://rmm.example.com' }));
  return store;
}

describe('ensureIdentity', () => {
  it('creates the key in the 0600 agent.json inside a 0700 directory, then reuses it', async () => {
    const store = await configuredStore();
    const first = await ensureIdentity(store);
    expect(first.isNew).toBe(true);
    expect(statSync(store.paths.configFile).mode & 0o777).toBe(0o600);
    expect(statSync(store.paths.configDir).mode & 0o777).toBe(0o700);
    expect((await store.load()).identity).toEqual(first.identity);

    const second = await ensureIdentity(store);
    expect(second).toEqual({ identity: first.identity, isNew: false });
  });

  it('refuses to create an identity without agent.json', async () => {
    const store = createAgentStore({ paths: makeAgentRoot() });
    await expect(ensureIdentity(store)).rejects.toThrow('does not exist; run borealis-agent enroll first');
  });
});

describe('device key helpers', () => {
  it('stores a 44-byte Ed25519 SPKI that verifies signatures of the stored private key', () => {
    const identity = generateIdentity();
    const key = deviceKeyFromIdentity(identity);
    expect(key.spkiDer).toHaveLength(44);
    expect(key.spkiDer.toString('base64')).toBe(identity.public_key_spki_b64);
    const message = Buffer.from('borealis-enroll-v1\n{}');
    expect(verify(null, message, key.publicKey, sign(null, message, key.privateKey))).toBe(true);
  });

  it('fingerprints as lower-hex SHA-256 of the SPKI', () => {
    const fingerprint = sslKeyFingerprint(deviceKeyFromIdentity(generateIdentity()).spkiDer);
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('computes the RFC 7638 thumbprint of the RFC 8037 example key', () => {
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }, format: 'jwk' });
    expect(jwkThumbprint(publicKey)).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });
});
