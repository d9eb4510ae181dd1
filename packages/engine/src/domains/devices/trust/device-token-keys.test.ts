// Device-token keys and access-token issue on both dialects: one sealed key shared by every
// service instance, and tokens that verify with the stored public key (agent-protocol §3.1).

import { randomBytes } from 'node:crypto';
import { verifyAccessToken } from '@borealis/protocol/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../../test/databases';
import { createManualClock } from '../../../clock';
import { createHostSecret } from '../../../secrets/host-secret';
import { createDeviceTokenKeys, privateKeySealAd } from './device-token-keys';
import { issueAccessToken } from './issue-access-token';
import { insertTestDevice, openTrustTestDatabase, type TrustTestDatabase } from './trust-test-database';

const ISSUER = 'https://engine.example.test';

describe.each(DIALECTS)('device token keys on %s', (dialect) => {
  let t: TrustTestDatabase;
  const clock = createManualClock('2026-03-01T12:00:00Z');
  const hostSecret = createHostSecret(randomBytes(32));
  beforeAll(async () => {
    t = await openTrustTestDatabase(dialect, 'token_keys');
  });
  afterAll(() => t.close());

  it('creates one active key on first use, even from two instances at once, and reuses it afterwards', async () => {
    const [first, racer] = await Promise.all([
      createDeviceTokenKeys({ db: t.database.db, clock, hostSecret }).ensureActive(),
      createDeviceTokenKeys({ db: t.database.db, clock, hostSecret }).ensureActive(),
    ]);
    expect(racer.kid).toBe(first.kid);
    const second = createDeviceTokenKeys({ db: t.database.db, clock, hostSecret });
    expect((await second.signingKey()).kid).toBe(first.kid);
    expect((await second.ensureActive()).kid).toBe(first.kid);
    const rows = await t.database.db.selectFrom('device_token_keys').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.kid).toMatch(/^[0-9a-f]{16}$/);
    expect(rows[0]?.status).toBe('active');
  });

  it('stores the private key only sealed, bound to its row', async () => {
    const row = await t.database.db.selectFrom('device_token_keys').selectAll().executeTakeFirstOrThrow();
    expect(row.private_key_sealed).toMatch(/^sealed:v1:/);
    expect(row.private_key_sealed).not.toMatch(/PRIVATE KEY|MC4CAQAwBQYDK2Vw/);
    const pkcs8 = hostSecret.unseal(privateKeySealAd(row.kid), row.private_key_sealed);
    expect(pkcs8.length).toBe(48);
    expect(() => hostSecret.unseal('device_token_keys/private_key_sealed/0000000000000000', row.private_key_sealed)).toThrow();
  });

  it('issues access tokens that verify with resolvePublicKey and carry the device token_version', async () => {
    const keys = createDeviceTokenKeys({ db: t.database.db, clock, hostSecret });
    const guid = await insertTestDevice(t.database.db, clock.now(), { tokenVersion: 3 });
    const jkt = randomBytes(32).toString('base64url');
    const issued = await issueAccessToken({ clock, keys, issuer: ISSUER }, t.database.db, { guid, jkt });
    expect(issued?.expiresIn).toBe(900);
    const kid = (await keys.signingKey()).kid;
    const publicKey = await createDeviceTokenKeys({ db: t.database.db, clock, hostSecret }).resolvePublicKey(kid);
    expect(publicKey).toBeDefined();
    const verified = verifyAccessToken(issued?.token ?? '', { issuer: ISSUER, clock, resolveKey: (k) => (k === kid ? publicKey : undefined) });
    expect(verified.ok && verified.value).toMatchObject({ guid, token_version: 3, cnf: { jkt } });
  });

  it('answers undefined for an unknown kid and for a device that does not exist', async () => {
    const keys = createDeviceTokenKeys({ db: t.database.db, clock, hostSecret });
    expect(await keys.resolvePublicKey('0123456789abcdef')).toBeUndefined();
    const missing = await issueAccessToken({ clock, keys, issuer: ISSUER }, t.database.db, { guid: '00000000-0000-4000-8000-000000000000', jkt: 'x'.repeat(43) });
    expect(missing).toBeUndefined();
  });

  it('resolves a retiring key and no longer resolves it once retired', async () => {
    const db = t.database.db;
    const { kid } = await createDeviceTokenKeys({ db, clock, hostSecret }).signingKey();
    await db.updateTable('device_token_keys').set({ status: 'retiring' }).where('kid', '=', kid).execute();
    expect(await createDeviceTokenKeys({ db, clock, hostSecret }).resolvePublicKey(kid)).toBeDefined();
    await db.updateTable('device_token_keys').set({ status: 'retired' }).where('kid', '=', kid).execute();
    expect(await createDeviceTokenKeys({ db, clock, hostSecret }).resolvePublicKey(kid)).toBeUndefined();
    const fresh = await createDeviceTokenKeys({ db, clock, hostSecret }).ensureActive();
    expect(fresh.kid).not.toBe(kid);
  });
});
