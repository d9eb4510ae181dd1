// Device request authentication (agent-protocol §3.2–§3.3): P7 DPoP failures and replay (also on a
// second node and after a restart), P8 token failures, and the §3.3 checks in order, on both dialects.

import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokenHash, encodeB64Url, generateEd25519KeyPair, jwkFromKey, signCompactJws } from '@borealis/protocol/agent';
import { createManualClock } from '../../clock';
import { DIALECTS, createPostgresDatabase, type TestPostgresDatabase } from '../../../test/databases';
import { makeHome, startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { TestAgent } from '../../../test/test-agent';

const PATH = '/api/agent/signing-keys';
const errorOf = (res: { json<T>(): T }) => res.json<{ error: { code: string; details?: { path: string; message: string }[]; server_time?: string } }>().error;

describe.each(DIALECTS)('device request authentication (%s)', (dialect) => {
  const clock = createManualClock('2026-11-26T06:00:00Z');
  let t: TestEngine;
  let agent: TestAgent;
  beforeAll(async () => {
    t = await startTestEngine({ dialect, clock, agent: { loops: false } });
    agent = await TestAgent.create(t);
  });
  afterAll(() => t.close());

  it('accepts a token with a fresh proof', async () => {
    const res = await agent.call('GET', PATH);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ keys: [] });
  });

  it('P7: a replayed proof is dpop_replayed with the DPoP challenge', async () => {
    const proof = agent.proof('GET', PATH);
    expect((await agent.call('GET', PATH, undefined, { dpop: proof })).statusCode).toBe(200);
    const again = await agent.call('GET', PATH, undefined, { dpop: proof });
    expect(again.statusCode).toBe(401);
    expect(errorOf(again).code).toBe('dpop_replayed');
    expect(again.headers['www-authenticate']).toBe('DPoP error="invalid_dpop_proof"');
  });

  it('P7: one proof sent four times at once is accepted once and replayed three times', async () => {
    const proof = agent.proof('GET', PATH);
    const results = await Promise.all(Array.from({ length: 4 }, () => agent.call('GET', PATH, undefined, { dpop: proof })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401, 401, 401]);
    expect(results.filter((r) => r.statusCode === 401).map((r) => errorOf(r).code)).toEqual(['dpop_replayed', 'dpop_replayed', 'dpop_replayed']);
    const fresh = await Promise.all(Array.from({ length: 4 }, () => agent.call('GET', PATH)));
    expect(fresh.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
  });

  it('P7: iat 61 s off is dpop_invalid and tells the server time', async () => {
    const skewed = createManualClock(new Date(clock.now().getTime() + 61_000));
    const res = await agent.call('GET', PATH, undefined, { dpop: agent.proof('GET', PATH, { clock: skewed }) });
    expect(res.statusCode).toBe(401);
    const error = errorOf(res);
    expect(error.code).toBe('dpop_invalid');
    expect(error.server_time).toBe(clock.now().toISOString());
    expect(error.details).toEqual([{ path: 'server_time', message: clock.now().toISOString() }]);
    expect(res.headers['www-authenticate']).toBe('DPoP error="invalid_dpop_proof"');
  });

  it('P7: another path, method or host, a query in htu, a wrong ath or another key are dpop_invalid', async () => {
    const origin = agent.trust.origin();
    const other = generateEd25519KeyPair();
    const queryProof = signCompactJws(
      { typ: 'dpop+jwt', alg: 'EdDSA', jwk: jwkFromKey(agent.keys.privateKey) },
      { jti: encodeB64Url(Buffer.alloc(16, 7)), htm: 'GET', htu: `${origin}${PATH}?since=x`, iat: Math.floor(clock.now().getTime() / 1000), ath: accessTokenHash(agent.accessToken) },
      agent.keys.privateKey,
    );
    const proofs = {
      path: agent.proof('GET', '/api/agent/config'),
      method: agent.proof('POST', PATH),
      host: agent.proof('GET', PATH, { url: `https://evil.example${PATH}` }),
      query: queryProof,
      ath: agent.proof('GET', PATH, { accessToken: `${agent.accessToken}x` }),
      key: agent.proof('GET', PATH, { key: other }),
    };
    for (const [name, dpop] of Object.entries(proofs)) {
      const res = await agent.call('GET', PATH, undefined, { dpop });
      expect(res.statusCode, name).toBe(401);
      expect(errorOf(res).code, name).toBe('dpop_invalid');
    }
  });

  it('P8: DPoP authorization without a DPoP header is refused', async () => {
    const res = await agent.call('GET', PATH, undefined, { dpop: null });
    expect(res.statusCode).toBe(401);
    expect(errorOf(res).code).toBe('dpop_invalid');
    const none = await agent.call('GET', PATH, undefined, { authorization: null });
    expect(errorOf(none).code).toBe('missing_authorization');
  });

  it('P8: typ other than at+jwt, alg none or HS256 is invalid_token', async () => {
    const signer = await agent.trust.tokenKeys.signingKey();
    const [, payload] = agent.accessToken.split('.');
    const wrongTyp = signCompactJws({ alg: 'EdDSA', typ: 'JWT', kid: signer.kid }, JSON.parse(Buffer.from(payload!, 'base64url').toString()) as object, signer.privateKey);
    const algNone = `${encodeB64Url(Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: signer.kid })))}.${payload}.`;
    const hs256 = `${encodeB64Url(Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: signer.kid })))}.${payload}.${encodeB64Url(Buffer.alloc(32, 1))}`;
    for (const token of [wrongTyp, algNone, hs256]) {
      const res = await agent.call('GET', PATH, undefined, { authorization: `DPoP ${token}`, dpop: agent.proof('GET', PATH, { accessToken: token }) });
      expect(res.statusCode).toBe(401);
      expect(errorOf(res).code).toBe('invalid_token');
    }
  });

  it('P8: a token 901 s old is token_expired', async () => {
    const old = await TestAgent.create(t);
    clock.advance(901_000);
    try {
      const res = await old.call('GET', PATH);
      expect(res.statusCode).toBe(401);
      expect(errorOf(res).code).toBe('token_expired');
    } finally {
      await agent.issueTokens();
    }
  });

  it('§3.3 order: revoked, purged, unknown, other key, bumped token_version, body naming another device', async () => {
    const db = t.engine.ctx.db;
    const revoked = await TestAgent.create(t, { status: 'revoked' });
    expect(errorOf(await revoked.call('GET', PATH)).code).toBe('device_revoked');
    expect((await revoked.call('GET', PATH)).statusCode).toBe(403);

    const purged = await TestAgent.create(t);
    await db.deleteFrom('devices').where('guid', '=', purged.rowGuid).execute();
    await db.insertInto('device_purge_barriers').values({ device_guid: purged.rowGuid, required_token_version: 2, purged_at: clock.now(), purged_by_user_id: null, last_hostname: purged.hostname, last_agent_id: purged.agentId }).execute();
    const purgedRes = await purged.call('GET', PATH);
    expect([purgedRes.statusCode, errorOf(purgedRes).code]).toEqual([401, 'device_purged']);

    const gone = await TestAgent.create(t);
    await db.deleteFrom('devices').where('guid', '=', gone.rowGuid).execute();
    const goneRes = await gone.call('GET', PATH);
    expect([goneRes.statusCode, errorOf(goneRes).code]).toEqual([401, 'device_not_found']);

    const rekeyed = await TestAgent.create(t);
    await db.updateTable('devices').set({ ssl_key_fingerprint: 'f'.repeat(64) }).where('guid', '=', rekeyed.rowGuid).execute();
    const rekeyedRes = await rekeyed.call('GET', PATH);
    expect([rekeyedRes.statusCode, errorOf(rekeyedRes).code]).toEqual([403, 'fingerprint_mismatch']);

    const bumped = await TestAgent.create(t);
    await db.updateTable('devices').set((eb) => ({ token_version: eb('token_version', '+', 1), status: 'quarantined' })).where('guid', '=', bumped.rowGuid).execute();
    const bumpedRes = await bumped.call('GET', PATH);
    expect([bumpedRes.statusCode, errorOf(bumpedRes).code]).toEqual([401, 'token_version_mismatch']);
    // A refresh cures it, and quarantined devices still pass.
    expect((await bumped.refresh()).statusCode).toBe(200);
    expect((await bumped.call('GET', PATH)).statusCode).toBe(200);

    const other = await TestAgent.create(t);
    const mismatch = await agent.call('POST', '/api/agent/heartbeat', agent.heartbeat(1, { agent_id: other.agentId }));
    expect([mismatch.statusCode, errorOf(mismatch).code]).toEqual([403, 'device_mismatch']);
  });

  it('limits a device to 60 REST calls a minute with Retry-After', async () => {
    const busy = await TestAgent.create(t);
    for (let i = 0; i < 60; i++) expect((await busy.call('GET', PATH)).statusCode).toBe(200);
    const res = await busy.call('GET', PATH);
    expect(res.statusCode).toBe(429);
    expect(errorOf(res).code).toBe('rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    clock.advance(60_000);
    await busy.issueTokens();
    expect((await busy.call('GET', PATH)).statusCode).toBe(200);
  });
});

describe('P7: replay across nodes and restarts', () => {
  let postgres: TestPostgresDatabase;
  beforeAll(async () => {
    postgres = await createPostgresDatabase('dpop_nodes');
  });
  afterAll(() => postgres.drop());

  it('a proof used on one node is dpop_replayed on another node', async () => {
    // Nodes of one cluster share the host secret (token keys are sealed with it), hence one home.
    const home = makeHome();
    const a = await startTestEngine({ dialect: 'postgres', postgres, home, agent: { loops: false } });
    const b = await startTestEngine({ dialect: 'postgres', postgres, home, agent: { loops: false } });
    try {
      const agent = await TestAgent.create(a);
      const proof = agent.proof('GET', PATH);
      expect((await agent.call('GET', PATH, undefined, { dpop: proof })).statusCode).toBe(200);
      const res = await b.engine.app!.inject({ method: 'GET', url: PATH, headers: { authorization: `DPoP ${agent.accessToken}`, dpop: proof } });
      expect(res.statusCode).toBe(401);
      expect((res.json() as { error: { code: string } }).error.code).toBe('dpop_replayed');
    } finally {
      await b.close();
      await a.close();
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('a proof used before a restart is dpop_replayed after it (PGlite on disk)', async () => {
    const home = makeHome();
    const first = await startTestEngine({ dialect: 'pglite', home, agent: { loops: false } });
    const agent = await TestAgent.create(first);
    const proof = agent.proof('GET', PATH);
    expect((await agent.call('GET', PATH, undefined, { dpop: proof })).statusCode).toBe(200);
    await first.close();
    const second = await startTestEngine({ dialect: 'pglite', home, agent: { loops: false } });
    try {
      const res = await second.engine.app!.inject({ method: 'GET', url: PATH, headers: { authorization: `DPoP ${agent.accessToken}`, dpop: proof } });
      expect((res.json() as { error: { code: string } }).error.code).toBe('dpop_replayed');
    } finally {
      await second.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
