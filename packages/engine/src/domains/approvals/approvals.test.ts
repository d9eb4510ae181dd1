// Operator approvals through the real HTTP stack on PGlite and PostgreSQL: conflicts and their
// resolutions (P5), 409s, deny, site scope and permissions, paging, enrolment codes, queue events.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceApproval, DeviceApprovalList } from '@borealis/protocol';
import { jktFromKey } from '@borealis/protocol/agent';
import { DIALECTS } from '../../../test/databases';
import { signInAs } from '../../../test/factories';
import { startEnrollmentEngine, type EnrollmentTestEngine } from '../enrollment/enrollment-test-engine';
import type { TestAgent } from '../../../test/enrolling-test-agent';

describe.each(DIALECTS)('approvals on %s', (dialect) => {
  let e: EnrollmentTestEngine;
  let site: { id: number; code: string };
  const db = () => e.t.engine.ctx.db;
  const idOf = async (agent: TestAgent) =>
    (await db().selectFrom('device_approvals').select('id').where('approval_reference', '=', agent.approvalReference!).executeTakeFirstOrThrow()).id;
  const decide = async (agent: TestAgent, verb: 'approve' | 'deny', body: Record<string, unknown> = {}) =>
    (await e.asAdmin()).client.post(`/api/admin/device-approvals/${await idOf(agent)}/${verb}`, body);
  /** Request, approve, first poll: the enrolled device's tokens. */
  const enrol = async (agent: TestAgent, body: Record<string, unknown> = {}) => {
    expect((await agent.request()).status).toBe(200);
    const approved = await decide(agent, 'approve', body);
    expect(approved.statusCode, approved.body).toBe(200);
    const poll = await agent.poll();
    expect(poll.body.status, JSON.stringify(poll.body)).toBe('approved');
    return poll.body as { guid: string; refresh_token: string };
  };
  const deviceOf = (guid: string) => db().selectFrom('devices').selectAll().where('guid', '=', guid.toLowerCase()).executeTakeFirstOrThrow();
  const setWindow = async (open: boolean) => {
    const until = open ? new Date(e.clock.now().getTime() + 3_600_000).toISOString() : null;
    expect((await (await e.asAdmin()).client.post(`/api/sites/${site.id}/auto-approval`, { auto_approve_until: until })).statusCode).toBe(200);
  };

  beforeAll(async () => {
    e = await startEnrollmentEngine(dialect);
    site = await e.createSite('Bodø');
  });
  afterAll(() => e?.close());

  describe('P5 conflicts', () => {
    let original: { guid: string; refresh_token: string };
    let first: TestAgent;

    beforeAll(async () => {
      first = e.agent(site.code, { hostname: 'web-01' });
      original = await enrol(first);
    });

    it('P5: the same host name with a new key → approve without a resolution is 409 conflict_resolution_required; the row explains the clash', async () => {
      const newcomer = e.agent(site.code, { hostname: 'WEB-01' });
      await newcomer.request();
      const list = (await (await e.asAdmin()).client.get('/api/admin/device-approvals?status=pending')).json() as DeviceApprovalList;
      const row = list.approvals.find((a) => a.approval_reference === newcomer.approvalReference)!;
      expect(row).toMatchObject({
        conflict_kind: 'same_hostname',
        conflict_device: { guid: original.guid, display_name: 'web-01', status: 'active' },
        allowed_resolutions: ['overwrite', 'coexist'],
        default_resolution: null,
      });
      const plain = await decide(newcomer, 'approve');
      expect(plain.statusCode).toBe(409);
      expect(plain.json().error.code).toBe('conflict_resolution_required');
      const merge = await decide(newcomer, 'approve', { conflict_resolution: 'merge' });
      expect(merge.json().error.code).toBe('conflict_resolution_required');
      expect((await db().selectFrom('device_approvals').select('status').where('id', '=', row.id).executeTakeFirstOrThrow()).status).toBe('pending');
      await decide(newcomer, 'deny');
    });

    it('P5: auto-approval never approves a host-name clash, nor a request for a revoked device’s key', async () => {
      await setWindow(true);
      const clash = e.agent(site.code, { hostname: 'web-01' });
      expect((await clash.request()).body).toMatchObject({ status: 'pending', auto_approved: false, poll_after_ms: 3000 });
      await decide(clash, 'deny');

      const victim = e.agent(site.code, { hostname: 'kiosk-7' });
      await setWindow(false);
      const victimDevice = await enrol(victim);
      await db().updateTable('devices').set({ status: 'revoked' }).where('guid', '=', victimDevice.guid.toLowerCase()).execute();
      await setWindow(true);
      const again = e.agent(site.code, { hostname: 'kiosk-7', keys: victim.keys });
      expect((await again.request()).body).toMatchObject({ status: 'pending', auto_approved: false });
      const row = await db().selectFrom('device_approvals').selectAll().where('approval_reference', '=', again.approvalReference!).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ conflict_kind: 'revoked_device', conflict_device_guid: victimDevice.guid.toLowerCase() });
      await setWindow(false);

      // A revoked device takes only overwrite, which reactivates it under its old GUID.
      expect((await decide(again, 'approve')).json().error.code).toBe('conflict_resolution_required');
      expect((await decide(again, 'approve', { conflict_resolution: 'merge' })).json().error.code).toBe('conflict_resolution_required');
      expect((await decide(again, 'approve', { conflict_resolution: 'overwrite' })).statusCode).toBe(200);
      const poll = await again.poll();
      expect(poll.body).toMatchObject({ status: 'approved', guid: victimDevice.guid });
      expect((await deviceOf(victimDevice.guid)).status).toBe('active');
    });

    it('P5: overwrite keeps the GUID, bumps token_version, retires the old key and revokes the old refresh token', async () => {
      const replacement = e.agent(site.code, { hostname: 'web-01' });
      await replacement.request();
      const approved = await decide(replacement, 'approve', { conflict_resolution: 'overwrite', guid: original.guid });
      expect(approved.statusCode, approved.body).toBe(200);
      expect(approved.json()).toMatchObject({ status: 'approved', conflict_resolution: 'overwrite', guid: original.guid });
      const trustEvents: string[] = [];
      e.t.engine.ctx.security!.deviceEvents.on('trust_changed', (ev) => trustEvents.push(`${ev.guid}:${ev.reason}`));
      const poll = await replacement.poll();
      expect(poll.body).toMatchObject({ status: 'approved', guid: original.guid });
      const device = await deviceOf(original.guid);
      expect(device.token_version).toBe(2);
      const keys = await db().selectFrom('device_keys').select(['jkt', 'retired_at']).where('device_guid', '=', original.guid.toLowerCase()).execute();
      expect(keys.filter((k) => k.retired_at === null)).toHaveLength(1);
      expect(keys).toHaveLength(2);
      expect(trustEvents).toContain(`${original.guid}:key_changed`);

      const refresh = e.t.engine.ctx.security!.deviceTrust.refreshTokens;
      await expect(refresh.rotate({ guid: original.guid, token: original.refresh_token, jkt: jktFromKey(first.keys.publicKey) })).rejects.toMatchObject({ code: 'refresh_token_revoked' });
      const reasons = await db().selectFrom('refresh_tokens').select('revoke_reason').where('device_guid', '=', original.guid.toLowerCase()).where('revoked_at', 'is not', null).execute();
      expect(reasons.map((r) => r.revoke_reason)).toContain('reenrolled');
      const audit = await db().selectFrom('audit_events').select('details').where('action', '=', 'enrollment.approved').execute();
      expect(audit.some((a) => JSON.stringify(a.details).includes('"overwrite"'))).toBe(true);
    });

    it('coexist gives a new GUID and a display name with -1', async () => {
      const twin = e.agent(site.code, { hostname: 'web-01' });
      await twin.request();
      expect((await decide(twin, 'approve', { conflict_resolution: 'coexist' })).statusCode).toBe(200);
      const poll = await twin.poll();
      const guid = String(poll.body.guid);
      expect(guid).not.toBe(original.guid);
      expect((await deviceOf(guid)).display_name).toBe('web-01-1');
    });

    it('the same key while active merges by default (auto-approval too) and keeps token_version', async () => {
      const solo = e.agent(site.code, { hostname: 'db-01' });
      const device = await enrol(solo);
      await setWindow(true);
      const rerun = e.agent(site.code, { hostname: 'db-01', keys: solo.keys });
      expect((await rerun.request()).body).toMatchObject({ status: 'approved', auto_approved: true });
      await setWindow(false);
      const poll = await rerun.poll();
      expect(poll.body).toMatchObject({ status: 'approved', guid: device.guid });
      expect((await deviceOf(device.guid)).token_version).toBe(1);
      expect(await db().selectFrom('refresh_tokens').select('id').where('device_guid', '=', device.guid.toLowerCase()).where('revoked_at', 'is', null).execute()).toHaveLength(1);
    });
  });

  describe('decisions', () => {
    it('answers 409 approval_not_pending when a row is decided twice', async () => {
      const agent = e.agent(site.code);
      await agent.request();
      expect((await decide(agent, 'approve')).statusCode).toBe(200);
      const twice = await decide(agent, 'approve');
      expect(twice.statusCode).toBe(409);
      expect(twice.json().error.code).toBe('approval_not_pending');
      expect((await decide(agent, 'deny')).json().error.code).toBe('approval_not_pending');
    });

    it('deny records the reason and the approver; the poll then says denied, operator_denied', async () => {
      const agent = e.agent(site.code, { hostname: 'stranger' });
      await agent.request();
      const events = e.queueEvents.length;
      const res = await decide(agent, 'deny', { reason: 'unknown machine' });
      expect(res.statusCode).toBe(200);
      expect(res.json() as DeviceApproval).toMatchObject({ status: 'denied', deny_reason: 'unknown machine', decided_by: (await e.asAdmin()).username });
      expect(e.queueEvents.length).toBe(events + 1);
      expect((await agent.poll()).body).toEqual({ status: 'denied', reason: 'operator_denied' });
      expect(await db().selectFrom('audit_events').select('id').where('action', '=', 'enrollment.denied').where('target_id', '=', await idOf(agent)).execute()).toHaveLength(1);
    });

    it('rejects a bad approval id or resolution with 422 and an unknown id with 404', async () => {
      const admin = (await e.asAdmin()).client;
      expect((await admin.post('/api/admin/device-approvals/not-a-uuid/approve', {})).statusCode).toBe(422);
      const agent = e.agent(site.code);
      await agent.request();
      expect((await decide(agent, 'approve', { conflict_resolution: 'smash' })).statusCode).toBe(422);
      expect((await admin.post('/api/admin/device-approvals/6f1c1c8e-0c1a-4b7e-9f55-2a8c0e9d1a11/approve', {})).json().error.code).toBe('not_found');
    });
  });

  describe('scope and permissions', () => {
    it('shows a site operator only their sites, lets them decide there, and hides the rest as 404', async () => {
      const other = await e.createSite('Hammerfest');
      const mine = e.agent(site.code, { hostname: 'mine' });
      await mine.request();
      const theirs = e.agent(other.code, { hostname: 'theirs' });
      await theirs.request();
      const op = await signInAs(e.t, { role: 'operator', siteIds: [{ siteId: site.id }] });
      const list = (await op.client.get('/api/admin/device-approvals')).json() as DeviceApprovalList;
      expect(list.approvals.every((a) => a.site_id === site.id)).toBe(true);
      expect(list.approvals.some((a) => a.hostname_claimed === 'mine')).toBe(true);
      expect(list.pending_count).toBe(list.approvals.filter((a) => a.status === 'pending').length);
      expect((await op.client.get('/api/admin/device-approvals?status=wrong_code')).json()).toMatchObject({ wrong_codes: [] });
      expect((await op.client.post(`/api/admin/device-approvals/${await idOf(theirs)}/approve`, {})).statusCode).toBe(404);
      const approved = await op.client.post(`/api/admin/device-approvals/${await idOf(mine)}/approve`, {});
      expect(approved.statusCode).toBe(200);
      expect(approved.json()).toMatchObject({ decided_by: op.username });
    });

    it('lets a viewer read the queue but not decide (403), and a site viewer-assignment narrows an operator', async () => {
      const agent = e.agent(site.code);
      await agent.request();
      const viewer = await signInAs(e.t, { role: 'viewer', siteIds: [{ siteId: site.id }] });
      expect((await viewer.client.get('/api/admin/device-approvals')).statusCode).toBe(200);
      expect((await viewer.client.post(`/api/admin/device-approvals/${await idOf(agent)}/approve`, {})).statusCode).toBe(403);
      const narrowed = await signInAs(e.t, { role: 'operator', siteIds: [{ siteId: site.id, role: 'viewer' }] });
      const res = await narrowed.client.post(`/api/admin/device-approvals/${await idOf(agent)}/deny`, {});
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    });

    it('pages the queue with cursors, newest first, with no row twice', async () => {
      const admin = (await e.asAdmin()).client;
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const url: string = `/api/admin/device-approvals?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await admin.get(url)).json() as DeviceApprovalList;
        seen.push(...page.approvals.map((a) => a.id));
        cursor = page.next_cursor;
        pages += 1;
      } while (cursor && pages < 100);
      const total = (await db().selectFrom('device_approvals').select('id').execute()).length;
      expect(new Set(seen).size).toBe(total);
      expect(seen).toHaveLength(total);
      expect((await admin.get('/api/admin/device-approvals?cursor=garbage')).statusCode).toBe(422);
    });

    it('lists every site code with its install command to admins only', async () => {
      const res = await (await e.asAdmin()).client.get('/api/admin/enrollment-codes');
      expect(res.statusCode).toBe(200);
      const entry = (res.json() as { codes: Array<{ id: string; site_id: number; code: string; install_command: string }> }).codes.find((c) => c.site_id === site.id)!;
      expect(entry).toMatchObject({ id: `site:${site.id}`, code: site.code });
      expect(entry.install_command).toBe(
        `curl -fsSL 'https://engine.test/api/agent/install/download/linux' | sudo bash -s -- --site-enrollment-code '${site.code}'`,
      );
      const sites = (await (await e.asAdmin()).client.get('/api/sites')).json() as { sites: Array<{ id: number; install_command: string | null }> };
      expect(sites.sites.find((s) => s.id === site.id)!.install_command).toBe(entry.install_command);
      const op = await signInAs(e.t, { role: 'operator', siteIds: [{ siteId: site.id }] });
      expect((await op.client.get('/api/admin/enrollment-codes')).statusCode).toBe(403);
    });

    it('keeps upstream’s code-management routes as 410 gone', async () => {
      const admin = (await e.asAdmin()).client;
      expect((await admin.post('/api/admin/enrollment-codes', {})).json().error.code).toBe('gone');
      expect((await admin.delete('/api/admin/enrollment-codes/abc')).statusCode).toBe(410);
    });
  });
});
