// With the engine's own CA (BOREALIS_TLS=on and no supplied certificate), the finalize answer hands
// agents that CA as trust_anchor_pem and the install command pins the server key. The database
// plays no part in this, so PGlite alone.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { randomIp, setUpEngine, type SignedInAdmin } from '../../../test/factories';
import { createTestAgent, injectTransport } from '../../../test/enrolling-test-agent';

const ORIGIN = 'https://rmm.example:5443';

describe('enrolment behind the local CA', () => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  let site: { id: number; enrollment_code: string };

  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite', env: { BOREALIS_TLS: 'on', BOREALIS_PUBLIC_URL: ORIGIN } });
    admin = await setUpEngine(t);
    site = (await admin.client.post('/api/sites', { name: 'Svalbard' })).json();
  });
  afterAll(() => t?.close());

  it('answers the first poll with the CA PEM as trust_anchor_pem', async () => {
    const trust = t.engine.ctx.agentTrust!;
    expect(trust.caPem).toContain('BEGIN CERTIFICATE');
    const agent = createTestAgent({ origin: ORIGIN, transport: injectTransport(t.engine.app!, randomIp()), code: site.enrollment_code });
    expect((await agent.request()).status).toBe(200);
    const row = await t.engine.ctx.db.selectFrom('device_approvals').select('id').where('approval_reference', '=', agent.approvalReference!).executeTakeFirstOrThrow();
    expect((await admin.client.post(`/api/admin/device-approvals/${row.id}/approve`, {})).statusCode).toBe(200);
    const poll = await agent.poll();
    expect(poll.body).toMatchObject({ status: 'approved', trust_anchor_pem: trust.caPem });
  });

  it('pins the server key in the install command', async () => {
    const trust = t.engine.ctx.agentTrust!;
    const codes = (await admin.client.get('/api/admin/enrollment-codes')).json() as { codes: Array<{ site_id: number; install_command: string }> };
    expect(codes.codes.find((c) => c.site_id === site.id)!.install_command).toBe(
      `curl -fsSL --pinnedpubkey '${trust.serverKeyPin}' -k '${ORIGIN}/api/agent/install/download/linux' | sudo bash -s -- --site-enrollment-code '${site.enrollment_code}'`,
    );
  });
});
