// Token refresh with rotation (P9) and reauth with a server nonce (P10), on both dialects.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair } from '@borealis/protocol/agent';
import { createManualClock } from '../../clock';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { TestAgent } from '../../../test/test-agent';
import { hashRefreshToken } from '../devices/trust/refresh-tokens';

const REFRESH = '/api/agent/token/refresh';
const REAUTH = '/api/agent/token/reauth';
const codeOf = (res: { json<T>(): T }) => res.json<{ error: { code: string } }>().error.code;

describe.each(DIALECTS)('device tokens (%s)', (dialect) => {
  const clock = createManualClock('2026-11-26T06:00:00Z');
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine({ dialect, clock, agent: { loops: false } });
  });
  afterAll(() => t.close());

  const tokenRow = (token: string) => t.engine.ctx.db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', hashRefreshToken(token)).executeTakeFirstOrThrow();

  it('P9: a refresh rotates the token and marks the old one used', async () => {
    const agent = await TestAgent.create(t);
    const old = agent.refreshToken;
    const res = await agent.refresh();
    expect(res.statusCode).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({ token_type: 'DPoP', expires_in: 900, refresh_expires_in: 2_592_000 });
    expect(body.refresh_token).not.toBe(old);
    expect((await tokenRow(old)).used_at).not.toBeNull();
    expect((await agent.call('GET', '/api/agent/signing-keys')).statusCode).toBe(200);
  });

  it('P9: the old token again within 30 s, before the child was used, gives a new child and revokes the first', async () => {
    const agent = await TestAgent.create(t);
    const old = agent.refreshToken;
    await agent.refresh();
    const firstChild = agent.refreshToken;
    clock.advance(10_000);
    agent.refreshToken = old;
    expect((await agent.refresh()).statusCode).toBe(200);
    const secondChild = agent.refreshToken;
    agent.refreshToken = firstChild;
    const res = await agent.refresh();
    expect([res.statusCode, codeOf(res)]).toEqual([401, 'refresh_token_revoked']);
    expect(res.headers['dpop-nonce']).toMatch(/^\d+\./);
    agent.refreshToken = secondChild;
    expect((await agent.refresh()).statusCode).toBe(200);
  });

  it('P9: the old token after the child was used is reuse: family revoked and audited', async () => {
    const agent = await TestAgent.create(t);
    const old = agent.refreshToken;
    await agent.refresh();
    await agent.refresh();
    const live = agent.refreshToken;
    agent.refreshToken = old;
    const res = await agent.refresh();
    expect([res.statusCode, codeOf(res)]).toEqual([401, 'refresh_token_reused']);
    agent.refreshToken = live;
    expect(codeOf(await agent.refresh())).toBe('refresh_token_revoked');
    const audit = await t.engine.ctx.db.selectFrom('audit_events').select(['action', 'severity']).where('target_id', '=', agent.guid).execute();
    expect(audit).toContainEqual({ action: 'device.refresh_reuse_detected', severity: 'high' });
  });

  it('refresh: a bad proof is dpop_invalid, another key invalid_refresh_token, a malformed body 422, a purged device device_purged', async () => {
    const agent = await TestAgent.create(t);
    const wrongPath = agent.proof('POST', '/api/agent/token/reauth', { accessToken: null });
    const res = await agent.tokenCall(REFRESH, { guid: agent.guid, refresh_token: agent.refreshToken }, { dpop: wrongPath });
    expect([res.statusCode, codeOf(res)]).toEqual([401, 'dpop_invalid']);
    expect(res.headers['www-authenticate']).toBe('DPoP error="invalid_dpop_proof"');
    const other = generateEd25519KeyPair();
    const stolen = await agent.tokenCall(REFRESH, { guid: agent.guid, refresh_token: agent.refreshToken }, { key: other });
    expect([stolen.statusCode, codeOf(stolen)]).toEqual([401, 'invalid_refresh_token']);
    expect((await agent.tokenCall(REFRESH, { guid: agent.guid })).statusCode).toBe(422);
    const db = t.engine.ctx.db;
    await db.deleteFrom('devices').where('guid', '=', agent.rowGuid).execute();
    await db.insertInto('device_purge_barriers').values({ device_guid: agent.rowGuid, required_token_version: 2, purged_at: clock.now(), purged_by_user_id: null, last_hostname: agent.hostname, last_agent_id: agent.agentId }).execute();
    expect(codeOf(await agent.refresh())).toBe('device_purged');
  });

  it('after the device is re-keyed (overwrite), the old agent hears refresh_token_revoked (P5)', async () => {
    const agent = await TestAgent.create(t);
    const db = t.engine.ctx.db;
    await db.updateTable('devices').set((eb) => ({ ssl_key_fingerprint: 'e'.repeat(64), token_version: eb('token_version', '+', 1) })).where('guid', '=', agent.rowGuid).execute();
    await agent.trust.refreshTokens.revokeDeviceFamilies(db, agent.rowGuid, 'reenrolled');
    const res = await agent.refresh();
    expect([res.statusCode, codeOf(res)]).toEqual([401, 'refresh_token_revoked']);
  });

  it('P10: reauth needs the server nonce, then issues new tokens and revokes the old family', async () => {
    const agent = await TestAgent.create(t);
    const oldRefresh = agent.refreshToken;
    const first = await agent.tokenCall(REAUTH, { guid: agent.guid });
    expect([first.statusCode, codeOf(first)]).toEqual([401, 'use_dpop_nonce']);
    const nonce = String(first.headers['dpop-nonce']);
    expect(nonce).toMatch(/^\d+\.[A-Za-z0-9_-]{24}$/);
    const res = await agent.tokenCall(REAUTH, { guid: agent.guid }, { nonce });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ access_token: string; refresh_token: string }>();
    agent.accessToken = body.access_token;
    expect((await agent.call('GET', '/api/agent/signing-keys')).statusCode).toBe(200);
    agent.refreshToken = oldRefresh;
    expect(codeOf(await agent.refresh())).toBe('refresh_token_revoked');
    const audit = await t.engine.ctx.db.selectFrom('audit_events').select('action').where('target_id', '=', agent.guid).execute();
    expect(audit.map((a) => a.action)).toContain('device.reauth');
  });

  it('P10: a stale nonce is use_dpop_nonce again; another key is reauth_denied', async () => {
    const agent = await TestAgent.create(t);
    const nonce = String((await agent.tokenCall(REAUTH, { guid: agent.guid })).headers['dpop-nonce']);
    clock.advance(61_000);
    expect(codeOf(await agent.tokenCall(REAUTH, { guid: agent.guid }, { nonce }))).toBe('use_dpop_nonce');
    const fresh = String((await agent.tokenCall(REAUTH, { guid: agent.guid })).headers['dpop-nonce']);
    const denied = await agent.tokenCall(REAUTH, { guid: agent.guid }, { nonce: fresh, key: generateEd25519KeyPair() });
    expect([denied.statusCode, codeOf(denied)]).toEqual([403, 'reauth_denied']);
  });

  it('P10: a second reauth within 10 min is 429; the third within 24 h quarantines the device', async () => {
    const agent = await TestAgent.create(t);
    const reauth = async () => {
      const nonce = String((await agent.tokenCall(REAUTH, { guid: agent.guid })).headers['dpop-nonce']);
      return agent.tokenCall(REAUTH, { guid: agent.guid }, { nonce });
    };
    expect((await reauth()).statusCode).toBe(200);
    clock.advance(5 * 60_000);
    const limited = await reauth();
    expect([limited.statusCode, codeOf(limited)]).toEqual([429, 'rate_limited']);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    clock.advance(6 * 60_000);
    expect((await reauth()).statusCode).toBe(200);
    const statusOf = async () => (await t.engine.ctx.db.selectFrom('devices').select(['status', 'token_version']).where('guid', '=', agent.rowGuid).executeTakeFirstOrThrow());
    expect((await statusOf()).status).toBe('active');
    clock.advance(11 * 60_000);
    const third = await reauth();
    expect(third.statusCode).toBe(200);
    expect(await statusOf()).toEqual({ status: 'quarantined', token_version: 2 });
    const audit = await t.engine.ctx.db.selectFrom('audit_events').select('action').where('target_id', '=', agent.guid).execute();
    expect(audit.map((a) => a.action)).toContain('device.auth_flapping');
    // The tokens of the third reauth already carry the bumped version.
    agent.accessToken = third.json<{ access_token: string }>().access_token;
    expect((await agent.call('GET', '/api/agent/signing-keys')).statusCode).toBe(200);
  });
});
