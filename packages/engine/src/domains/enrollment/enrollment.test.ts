// Enrolment request and poll through the real HTTP stack on PGlite and PostgreSQL, acting as the
// agent with the protocol's primitives: P2, P3, P4, auto-approval, code limits, bad input, rate limits.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDpopProof,
  EnrollPollResponseSchema,
  EnrollRequestResponseSchema,
  encodeB64,
  generateEd25519KeyPair,
  jktFromKey,
  signEnrollmentProof,
  verifyAccessToken,
} from '@borealis/protocol/agent';
import { DIALECTS } from '../../../test/databases';
import { createTestAgent, ENROLL_POLL_PATH, ENROLL_REQUEST_PATH, injectTransport } from '../../../test/enrolling-test-agent';
import { PUBLIC_URL, startEnrollmentEngine, type EnrollmentTestEngine } from './enrollment-test-engine';

describe.each(DIALECTS)('enrolment on %s', (dialect) => {
  let e: EnrollmentTestEngine;
  let site: { id: number; code: string };
  const db = () => e.t.engine.ctx.db;
  const approvalOf = (reference: string) => db().selectFrom('device_approvals').selectAll().where('approval_reference', '=', reference).executeTakeFirstOrThrow();
  const approve = async (reference: string, body: Record<string, unknown> = {}) => {
    const row = await approvalOf(reference);
    return (await e.asAdmin()).client.post(`/api/admin/device-approvals/${row.id}/approve`, body);
  };
  const rowCounts = async () => ({
    approvals: (await db().selectFrom('device_approvals').select('id').execute()).length,
    failures: (await db().selectFrom('enrollment_code_failures').select('id').execute()).length,
  });

  beforeAll(async () => {
    e = await startEnrollmentEngine(dialect);
    site = await e.createSite('Tromsø');
  });
  afterAll(() => e?.close());

  describe('P2 request checks', () => {
    it('P2: a DPoP proof by another key than agent_pubkey → 401 dpop_invalid with the DPoP challenge, nothing stored', async () => {
      const before = await rowCounts();
      const agent = e.agent(site.code);
      const other = generateEd25519KeyPair();
      const res = await agent.request({ dpop: agent.proof(ENROLL_REQUEST_PATH, other.privateKey) });
      expect(res.status).toBe(401);
      expect(res.body.error?.code).toBe('dpop_invalid');
      expect(res.headers['www-authenticate']).toBe('DPoP error="invalid_dpop_proof"');
      expect(await rowCounts()).toEqual(before);
    });

    it('P2: no DPoP header, or one for another path → 401 dpop_invalid', async () => {
      const agent = e.agent(site.code);
      expect((await agent.request({ dpop: null })).body.error?.code).toBe('dpop_invalid');
      expect((await agent.request({ dpop: agent.proof(ENROLL_POLL_PATH) })).body.error?.code).toBe('dpop_invalid');
    });

    it('tells an agent whose clock is 61 s off the server time in the 401', async () => {
      const agent = e.agent(site.code);
      const late = { now: () => new Date(e.clock.now().getTime() - 61_000) };
      const res = await agent.request({ dpop: createDpopProof(agent.keys.privateKey, { method: 'POST', url: `${PUBLIC_URL}${ENROLL_REQUEST_PATH}`, clock: late }) });
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ code: 'dpop_invalid', server_time: e.clock.now().toISOString() });
      expect(res.body.error?.details).toEqual([{ path: 'server_time', message: e.clock.now().toISOString() }]);
    });

    it('P2: a wrong code → 403 invalid_enrollment_code, listed to admins as wrong_code with a masked code', async () => {
      const agent = e.agent('0000-1111-2222-3333-4444-5555-6666-7777', { hostname: 'typo-host' });
      const res = await agent.request();
      expect(res.status).toBe(403);
      expect(res.body.error?.code).toBe('invalid_enrollment_code');
      const again = await agent.request();
      expect(again.status).toBe(403);
      const list = await (await e.asAdmin()).client.get('/api/admin/device-approvals?status=wrong_code');
      expect(list.statusCode).toBe(200);
      const wrong = (list.json() as { wrong_codes: Array<Record<string, unknown>> }).wrong_codes.find((w) => w.hostname_claimed === 'typo-host');
      expect(wrong).toMatchObject({ status: 'wrong_code', attempt_count: 2, last_error: 'invalid_enrollment_code', remote_addr: expect.any(String) });
      expect(wrong!.enrollment_code_mask).not.toContain('11112222');
      expect(JSON.stringify(list.json())).not.toContain('0000111122223333');
      expect(await db().selectFrom('device_approvals').select('id').where('hostname_claimed', '=', 'typo-host').execute()).toEqual([]);
    });

    it('P2: the 41st request in a minute from one address → 429 with Retry-After, before the body is even read', async () => {
      const ip = '10.41.0.1';
      const agent = createTestAgent({ origin: PUBLIC_URL, transport: injectTransport(e.t.engine.app!, ip), code: site.code, clock: e.clock });
      for (let i = 0; i < 40; i += 1) {
        const junk = await e.t.engine.app!.inject({ method: 'POST', url: ENROLL_REQUEST_PATH, payload: { hostname: '' }, remoteAddress: ip });
        expect(junk.statusCode).toBe(422);
      }
      const res = await agent.request();
      expect(res.status).toBe(429);
      expect(res.body.error?.code).toBe('rate_limited');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      e.clock.advance(61_000);
      expect((await agent.request()).status).toBe(200);
    });

    it('the 13th request in a minute for one key → 429, whatever the address', async () => {
      const keys = generateEd25519KeyPair();
      for (let i = 0; i < 12; i += 1) expect((await e.agent(site.code, { keys }).request()).status).toBe(200);
      const res = await e.agent(site.code, { keys }).request();
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBeDefined();
      e.clock.advance(61_000);
    });

    it('10 wrong codes from one address block it for 15 min, even with the right code', async () => {
      const ip = '10.10.0.1';
      for (let i = 0; i < 10; i += 1) expect((await e.agent('FFFF-0000-FFFF-0000-FFFF-0000-FFFF-0000', { ip }).request()).status).toBe(403);
      const blocked = await e.agent(site.code, { ip }).request();
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(14 * 60);
      e.clock.advance(15 * 60_000 + 1000);
      expect((await e.agent(site.code, { ip }).request()).status).toBe(200);
    });
  });

  describe('bad input', () => {
    it.each([
      ['a 254-char hostname', { hostname: 'h'.repeat(254) }, 'hostname'],
      ['a 16-byte client nonce', { client_nonce: encodeB64(Buffer.alloc(16, 1)) }, 'client_nonce'],
      ['an RSA-sized public key', { agent_pubkey: encodeB64(Buffer.alloc(44, 7)) }, 'agent_pubkey'],
      ['an unknown platform', { platform: 'macos' }, 'platform'],
    ])('rejects %s with the 422 envelope and stores nothing', async (_what, override, path) => {
      const before = await rowCounts();
      const res = await e.agent(site.code).request({ body: override });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'validation_failed', request_id: expect.any(String) });
      expect(res.body.error?.details?.map((d) => d.path)).toContain(path);
      expect(await rowCounts()).toEqual(before);
    });

    it('rejects a body that is not JSON with 400 invalid_json', async () => {
      const res = await e.t.engine.app!.inject({ method: 'POST', url: ENROLL_POLL_PATH, headers: { 'content-type': 'application/json' }, payload: '{"approval_reference":', remoteAddress: '10.3.3.3' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('invalid_json');
    });

    it('polls with an unknown reference → 404 approval_unknown', async () => {
      const agent = e.agent(site.code);
      await agent.request();
      const res = await agent.poll({ body: { approval_reference: '00000000-0000-4000-8000-000000000000' } });
      expect(res.status).toBe(404);
      expect(res.body.error?.code).toBe('approval_unknown');
    });
  });

  describe('P3 poll proof', () => {
    it('P3: a flipped bit in proof_sig or another client_nonce → 403 proof_invalid without the status; a good poll → pending, 5000', async () => {
      const agent = e.agent(site.code);
      const req = await agent.request();
      expect(req.status).toBe(200);
      expect(EnrollRequestResponseSchema.parse(req.body)).toMatchObject({ status: 'pending', poll_after_ms: 3000, auto_approved: false });

      const flipped = () => {
        const raw = Buffer.from(
          signEnrollmentProof(agent.keys.privateKey, { serverNonce: String(req.body.server_nonce), approvalReference: String(req.body.approval_reference), clientNonce: agent.clientNonce }),
          'base64',
        );
        raw[10] = raw[10]! ^ 0x01;
        return encodeB64(raw);
      };
      const bad = await agent.poll({ body: { proof_sig: flipped() } });
      expect(bad.status).toBe(403);
      expect(bad.body.error?.code).toBe('proof_invalid');
      expect(JSON.stringify(bad.body)).not.toContain('pending');

      const otherNonce = await agent.poll({ body: { client_nonce: encodeB64(Buffer.alloc(32, 9)) } });
      expect(otherNonce.status).toBe(403);
      expect(otherNonce.body.error?.code).toBe('proof_invalid');

      const ok = await agent.poll();
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ status: 'pending', poll_after_ms: 5000 });
      expect((await approvalOf(agent.approvalReference!)).last_polled_at).not.toBeNull();
    });

    it('P3: a poll with another key’s DPoP proof → 401 dpop_invalid before the status', async () => {
      const agent = e.agent(site.code);
      await agent.request();
      const res = await agent.poll({ dpop: agent.proof(ENROLL_POLL_PATH, generateEd25519KeyPair().privateKey) });
      expect(res.status).toBe(401);
      expect(res.body.error?.code).toBe('dpop_invalid');
    });

    it('answers poll_after_ms 5000 for 10 min, 30000 until 1 h, then 60000', async () => {
      const agent = e.agent(site.code);
      await agent.request();
      expect((await agent.poll()).body.poll_after_ms).toBe(5000);
      e.clock.advance(10 * 60_000);
      expect((await agent.poll()).body.poll_after_ms).toBe(30_000);
      e.clock.advance(50 * 60_000);
      expect((await agent.poll()).body.poll_after_ms).toBe(60_000);
    });
  });

  describe('P4 approval and finalize', () => {
    it('P4: a repeat request while pending keeps approval_reference and replaces server_nonce', async () => {
      const agent = e.agent(site.code);
      const first = await agent.request();
      const second = await agent.request({ body: { hostname: `${agent.hostname}-renamed` } });
      expect(second.status).toBe(200);
      expect(second.body.approval_reference).toBe(first.body.approval_reference);
      expect(second.body.server_nonce).not.toBe(first.body.server_nonce);
      const rows = await db().selectFrom('device_approvals').selectAll().where('ssl_key_fingerprint_claimed', '=', (await approvalOf(agent.approvalReference!)).ssl_key_fingerprint_claimed).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.hostname_claimed).toBe(`${agent.hostname}-renamed`);
      // The first answer's nonces no longer prove anything.
      expect((await agent.poll()).body).toEqual({ status: 'pending', poll_after_ms: 5000 });
    });

    it('P4: after approval the first poll returns tokens and creates the device; the next says completed without tokens', async () => {
      const agent = e.agent(site.code, { hostname: 'Build Box' });
      const req = await agent.request();
      const events = e.queueEvents.length;
      const approved = await approve(agent.approvalReference!);
      expect(approved.statusCode, approved.body).toBe(200);
      expect(approved.json()).toMatchObject({ status: 'approved', decided_by: (await e.asAdmin()).username, conflict_kind: 'none' });
      expect(e.queueEvents.length).toBeGreaterThan(events);

      const res = await agent.poll();
      expect(res.status).toBe(200);
      const body = EnrollPollResponseSchema.parse(res.body);
      if (body.status !== 'approved') throw new Error(`expected approved, got ${body.status}`);
      expect(body).toMatchObject({ site_id: site.id, site_name: 'Tromsø', token_type: 'DPoP', expires_in: 900, refresh_expires_in: 2_592_000 });
      expect(body.guid).toMatch(/^[0-9A-F-]{36}$/);
      expect(body.agent_id).toBe(`BUILD-BOX_${body.guid}_SYSTEM`);
      expect(body.trust_anchor_pem).toBeUndefined();
      expect(body.signing_key).toBe(req.body.signing_key);
      const signing = await db().selectFrom('signing_keys').selectAll().where('state', '=', 'active').executeTakeFirstOrThrow();
      expect(body.signing_key_id).toBe(signing.key_id);
      expect(body.signing_key).toBe(encodeB64(signing.public_key_spki));

      const tokenKeys = e.t.engine.ctx.security!.deviceTrust.tokenKeys;
      const signer = await tokenKeys.signingKey();
      const claims = verifyAccessToken(body.access_token, { issuer: PUBLIC_URL, clock: e.clock, resolveKey: (kid) => (kid === signer.kid ? (signer.privateKey) : undefined) });
      expect(claims.ok && claims.value).toMatchObject({ guid: body.guid, token_version: 1, cnf: { jkt: jktFromKey(agent.keys.publicKey) } });

      const guid = body.guid.toLowerCase();
      const device = await db().selectFrom('devices').selectAll().where('guid', '=', guid).executeTakeFirstOrThrow();
      expect(device).toMatchObject({ display_name: 'Build Box', hostname: 'Build Box', site_id: site.id, status: 'active', token_version: 1, platform: 'linux', arch: 'x64' });
      expect(await db().selectFrom('device_keys').select(['jkt', 'retired_at']).where('device_guid', '=', guid).execute()).toEqual([{ jkt: jktFromKey(agent.keys.publicKey), retired_at: null }]);
      expect(await db().selectFrom('device_heartbeat_state').select('device_guid').where('device_guid', '=', guid).execute()).toHaveLength(1);
      expect(await db().selectFrom('refresh_tokens').select('id').where('device_guid', '=', guid).execute()).toHaveLength(1);
      const siteRow = await db().selectFrom('sites').select('enrollment_code_uses').where('id', '=', site.id).executeTakeFirstOrThrow();
      expect(siteRow.enrollment_code_uses).toBeGreaterThanOrEqual(1);
      const audit = await db().selectFrom('audit_events').selectAll().where('action', '=', 'device.enrolled').where('target_id', '=', body.guid).execute();
      expect(audit).toHaveLength(1);
      expect(JSON.stringify(audit[0]!.details)).not.toContain(body.refresh_token);
      expect(e.deviceEvents).toContainEqual({ guid: body.guid, site_id: site.id, change: 'created' });

      const again = await agent.poll();
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ status: 'completed', guid: body.guid });
      expect((await approvalOf(agent.approvalReference!)).status).toBe('completed');
    });

    it('recreates a purged GUID above its purge barrier and clears the barrier', async () => {
      const purged = '3f2b8c1e-9d4a-4e6b-8c2d-1a5e7f9b0c3d';
      await db()
        .insertInto('device_purge_barriers')
        .values({ device_guid: purged, required_token_version: 5, purged_at: e.clock.now(), last_hostname: 'Gone-01', last_agent_id: 'GONE-01_X_SYSTEM' })
        .execute();
      const agent = e.agent(site.code, { hostname: 'gone-01' });
      await agent.request();
      expect((await approve(agent.approvalReference!)).statusCode).toBe(200);
      const poll = await agent.poll();
      expect(poll.body).toMatchObject({ status: 'approved', guid: purged.toUpperCase() });
      expect((await db().selectFrom('devices').select('token_version').where('guid', '=', purged).executeTakeFirstOrThrow()).token_version).toBe(5);
      expect(await db().selectFrom('device_purge_barriers').select('device_guid').where('device_guid', '=', purged).execute()).toEqual([]);
    });

    it('auto-approves a request without conflict while the site window is open: approved, poll_after_ms 0', async () => {
      const open = await (await e.asAdmin()).client.post(`/api/sites/${site.id}/auto-approval`, { auto_approve_until: new Date(e.clock.now().getTime() + 3_600_000).toISOString() });
      expect(open.statusCode, open.body).toBe(200);
      const agent = e.agent(site.code);
      const req = await agent.request();
      expect(req.body).toMatchObject({ status: 'approved', poll_after_ms: 0, auto_approved: true });
      const row = await approvalOf(agent.approvalReference!);
      expect(row.decided_by).toBe('site_auto_approval');
      expect(await db().selectFrom('audit_events').select('id').where('action', '=', 'enrollment.auto_approved').where('target_id', '=', row.id).execute()).toHaveLength(1);
      expect((await agent.poll()).body.status).toBe('approved');
      await (await e.asAdmin()).client.post(`/api/sites/${site.id}/auto-approval`, { auto_approve_until: null });
    });

    it('refuses an expired code with enrollment_code_expired and a used-up one with code_consumed', async () => {
      const other = await e.createSite('Limits');
      const rotated = await (await e.asAdmin()).client.post(`/api/sites/${other.id}/enrollment-code/rotate`, { max_uses: 1, expires_at: new Date(e.clock.now().getTime() + 3_600_000).toISOString() });
      const code = (rotated.json() as { enrollment_code: string }).enrollment_code;
      const first = e.agent(code);
      await first.request();
      await approve(first.approvalReference!);
      expect((await first.poll()).body.status).toBe('approved');
      const consumed = await e.agent(code).request();
      expect(consumed.status).toBe(403);
      expect(consumed.body.error?.code).toBe('code_consumed');
      e.clock.advance(3_600_000);
      const expired = await e.agent(code).request();
      expect(expired.body.error?.code).toBe('enrollment_code_expired');
    });
  });
});
