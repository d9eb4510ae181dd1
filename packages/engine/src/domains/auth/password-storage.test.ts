// S14: passwords are stored as argon2id PHC strings at the production cost, salted, under Aegis;
// the policy names its reason; upstream's SHA-512 fields are refused.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine, type SignedInAdmin } from '../../../test/factories';
import { SYSTEM_ACTOR } from '../audit/audit-log';
import { DEFAULT_ARGON2_PARAMS } from './factors/password-hasher';

describe.each(DIALECTS)('password storage on %s (S14)', (dialect) => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  beforeAll(async () => {
    t = await startTestEngine({ dialect, argon2: DEFAULT_ARGON2_PARAMS });
    admin = await setUpEngine(t);
  });
  afterAll(() => t.close());

  it('stores salted argon2id (m=65536, t=2, p=1) inside an Aegis envelope', async () => {
    for (const username of ['twin-one', 'twin-two']) {
      const res = await admin.client.post('/api/users', { username, role: 'viewer', password: 'the-very-same-password-1' });
      expect(res.statusCode).toBe(201);
    }
    const rows = await t.engine.ctx.db.selectFrom('users').select(['id', 'password_hash_enc']).where('username', 'in', ['twin-one', 'twin-two']).execute();
    const phcs = await Promise.all(
      rows.map((r) => t.engine.ctx.security!.aegis.decrypt({ table: 'users', column: 'password_hash_enc', rowId: r.id }, r.password_hash_enc!, SYSTEM_ACTOR)),
    );
    for (const phc of phcs) expect(phc).toMatch(/^\$argon2id\$v=19\$m=65536,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(phcs[0]).not.toBe(phcs[1]);
  });

  it('names the policy reason: too short, common, or the user name', async () => {
    const reason = async (username: string, password: string) => (await admin.client.post('/api/users', { username, role: 'viewer', password })).json().error;
    expect(await reason('shorty', 'elevenchars')).toMatchObject({ code: 'password_policy', reason: 'too_short' });
    expect(await reason('commoner', 'password123456')).toMatchObject({ code: 'password_policy', reason: 'common' });
    expect(await reason('sameasname-x', 'SameAsName-X')).toMatchObject({ code: 'password_policy', reason: 'matches_username' });
    const sha = await admin.client.post('/api/users', { username: 'legacy', role: 'viewer', password_sha512: 'ab'.repeat(64) });
    expect(sha.statusCode).toBe(422);
    expect(sha.json().error.code).toBe('validation_failed');
  });
});
