// Conformance DM19 (data-model.md §5, §7) for the retention passes that exist in M1: with the clock
// advanced, each swept table loses exactly its rows past the age and keeps the younger ones;
// non-terminal occurrences and live work stay. Tables: auth_tickets, webauthn_challenges (expired or
// used), operator_sessions, auth_throttle, dpop_replay, idempotency_keys, refresh_tokens, audit_events,
// scheduled_job_occurrences, job_scheduler_work_items, device_approvals (more cases:
// approval-sweep.test.ts). Not swept by age yet: software_titles (no "unreferenced since" column).

import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from './clock';
import { sweepJobHistory } from './domains/scheduled-jobs/retention';
import { DIALECTS } from '../test/databases';
import { startTestEngine, type TestEngine } from '../test/engine-harness';
import { setUpEngine } from '../test/factories';
import { TestAgent } from '../test/test-agent';
import { insertAssembly, insertJob } from '../test/scheduling-fixtures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each(DIALECTS)('retention on %s', (dialect) => {
  const clock = createManualClock('2026-01-01T00:00:00Z');
  let t: TestEngine;
  let userId: string;
  beforeAll(async () => {
    t = await startTestEngine({ dialect, clock });
    await setUpEngine(t);
    userId = (await t.engine.ctx.db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
  });
  afterAll(() => t.close());

  it('DM19: with the clock advanced, each table loses exactly the rows older than its age; non-terminal rows stay', async () => {
    const db = t.engine.ctx.db;
    clock.advance(400 * DAY);
    const now = clock.now();
    const ago = (ms: number) => new Date(now.getTime() - ms);
    const ahead = (ms: number) => new Date(now.getTime() + ms);

    const ticket = (expires: Date) => ({ id: uuidv7(), token_hash: randomBytes(32), user_id: null, purpose: 'mfa' as const, expires_at: expires });
    const tickets = { old: ticket(ago(2 * HOUR)), live: ticket(ahead(5 * 60_000)), used: { ...ticket(ahead(5 * 60_000)), used_at: ago(60_000) } };
    await db.insertInto('auth_tickets').values(Object.values(tickets)).execute();

    const challenge = (expires: Date) => ({ id: uuidv7(), purpose: 'authenticate' as const, user_id: null, challenge: randomBytes(32), expires_at: expires });
    const challenges = { old: challenge(ago(2 * HOUR)), live: challenge(ahead(5 * 60_000)), used: { ...challenge(ahead(5 * 60_000)), used_at: ago(60_000) } };
    await db.insertInto('webauthn_challenges').values(Object.values(challenges)).execute();

    const session = (revoked: Date) => ({
      id: uuidv7(), secret_hash: randomBytes(32), user_id: userId, unlock_epoch: 1, auth_method: 'password_totp' as const, verified_at: ago(20 * DAY), ip: null, user_agent: null,
      created_at: ago(20 * DAY), last_seen_at: revoked, idle_expires_at: ahead(DAY), absolute_expires_at: ahead(DAY), revoked_at: revoked, revoke_reason: 'logout' as const,
    });
    const sessions = { old: session(ago(7 * DAY + HOUR)), young: session(ago(7 * DAY - HOUR)) };
    await db.insertInto('operator_sessions').values(Object.values(sessions)).execute();

    await db.insertInto('auth_throttle').values([
      { key: 'ip:dm19-old', failures: 1, last_failure_at: ago(25 * HOUR), lock_count: 0, updated_at: ago(25 * HOUR) },
      { key: 'ip:dm19-young', failures: 1, last_failure_at: ago(23 * HOUR), lock_count: 0, updated_at: ago(23 * HOUR) },
    ]).execute();

    const replay = { old: randomBytes(32), live: randomBytes(32) };
    await db.insertInto('dpop_replay').values([{ key: replay.old, expires_at: ago(1_000) }, { key: replay.live, expires_at: ahead(60_000) }]).execute();

    const idempotency = (key: string, expires: Date) => ({ user_id: userId, route: 'POST /api/quick_jobs', key, request_hash: randomBytes(32), status_code: 201, response: '{}', resource_id: null, created_at: ago(DAY), expires_at: expires });
    await db.insertInto('idempotency_keys').values([idempotency('dm19-old', ago(1_000)), idempotency('dm19-live', ahead(HOUR))]).execute();

    const device = await TestAgent.create(t, { hostname: 'dm19-device' });
    const token = (o: { parent?: string; used?: Date; revoked?: Date; expires?: Date }) => ({
      id: uuidv7(), family_id: uuidv7(), device_guid: device.rowGuid, token_hash: randomBytes(32), parent_id: o.parent ?? null, dpop_jkt: 'dm19', issued_at: ago(40 * DAY),
      expires_at: o.expires ?? ahead(DAY), used_at: o.used ?? null, revoked_at: o.revoked ?? null, revoke_reason: o.revoked ? ('superseded' as const) : null,
    });
    const spentOld = token({ used: ago(25 * HOUR) });
    const spentYoung = token({ used: ago(23 * HOUR) });
    const tokens = {
      spentOld, spentYoung,
      childOfOld: token({ parent: spentOld.id }), childOfYoung: token({ parent: spentYoung.id }),
      usedWithoutChild: token({ used: ago(25 * HOUR) }), // the last one used: reuse detection still needs it
      revokedOld: token({ revoked: ago(31 * DAY) }), revokedYoung: token({ revoked: ago(29 * DAY) }),
      expiredOld: token({ expires: ago(31 * DAY) }), expiredYoung: token({ expires: ago(29 * DAY) }),
    };
    await db.insertInto('refresh_tokens').values([tokens.spentOld, tokens.spentYoung]).execute();
    await db.insertInto('refresh_tokens').values(Object.values(tokens).filter((x) => x !== spentOld && x !== spentYoung)).execute();

    const audit = (action: string, at: Date) => ({ id: uuidv7(), at, actor_type: 'system' as const, action, outcome: 'success' as const, severity: 'info' as const, details: '{}' });
    await db.insertInto('audit_events').values([audit('dm19.old', ago(366 * DAY)), audit('dm19.young', ago(364 * DAY))]).execute();

    const assembly = await insertAssembly(db);
    const jobId = await insertJob(db, { assemblyGuid: assembly, targets: [], schedule: { type: 'once', start: ago(40 * DAY).toISOString() }, nextOccurrenceAt: null });
    const occurrence = async (status: string, at: Date) =>
      (await db.insertInto('scheduled_job_occurrences').values({ job_id: jobId, scheduled_for: at, trigger: 'schedule', status, counts_json: '{}', finished_at: status === 'Running' || status === 'Pending' ? null : at }).returning('id').executeTakeFirstOrThrow()).id;
    const occurrences = { old: await occurrence('Success', ago(31 * DAY)), young: await occurrence('Failed', ago(29 * DAY)), running: await occurrence('Running', ago(31 * DAY - 60_000)), pending: await occurrence('Pending', ago(31 * DAY - 120_000)) };

    const workItem = (key: string, status: 'succeeded' | 'queued', finished: Date | null) => ({
      dedupe_key: key, kind: 'retention_sweep', lane: 'maintenance', site_id: 0, job_id: null, run_id: null, target_id: null, payload_json: '{}', status, priority: 10,
      available_at: ago(30 * DAY), lease_owner: null, lease_expires_at: null, heartbeat_at: null, worker_guid: null, error: null, created_at: ago(30 * DAY), updated_at: ago(30 * DAY), finished_at: finished,
    });
    await db.insertInto('job_scheduler_work_items').values([workItem('dm19:old', 'succeeded', ago(7 * DAY + HOUR)), workItem('dm19:young', 'succeeded', ago(7 * DAY - HOUR)), workItem('dm19:queued', 'queued', null)]).execute();

    const approval = (status: 'pending' | 'denied', updated: Date) => ({
      id: uuidv7(), approval_reference: uuidv7(), status, site_id: null, hostname_claimed: `dm19-${status}`, fqdn: null, ssl_key_fingerprint_claimed: randomBytes(32).toString('hex'),
      agent_pubkey: randomBytes(44), client_nonce: randomBytes(32), server_nonce: randomBytes(32), agent_version: '1.0.0', platform: 'linux', arch: 'x86_64', machine_id_sha256: null,
      remote_addr: '192.0.2.9', conflict_device_guid: null, conflict_resolution: null, device_guid: null, decided_by_user_id: null, decided_by: status === 'pending' ? null : 'admin',
      decided_at: status === 'pending' ? null : updated, deny_reason: null, last_polled_at: updated, expires_at: ahead(DAY), completed_at: null, created_at: updated, updated_at: updated,
    });
    const approvals = { old: approval('denied', ago(30 * DAY + HOUR)), young: approval('denied', ago(30 * DAY - HOUR)), fresh: approval('pending', ago(60_000)) };
    await db.insertInto('device_approvals').values(Object.values(approvals)).execute();

    // Every pass once: the minutely/10-minute passes, the daily audit sweep and the hourly history sweep.
    await t.engine.ctx.security!.maintenance.runMinutely();
    await t.engine.ctx.security!.maintenance.runDaily();
    await sweepJobHistory(db, clock.now(), 30);

    const ids = async (table: 'auth_tickets' | 'webauthn_challenges' | 'operator_sessions', wanted: string[]) =>
      (await db.selectFrom(table).select('id').where('id', 'in', wanted).execute()).map((r) => r.id).sort();
    expect(await ids('auth_tickets', [tickets.old.id, tickets.live.id, tickets.used.id])).toEqual([tickets.live.id]);
    expect(await ids('webauthn_challenges', [challenges.old.id, challenges.live.id, challenges.used.id])).toEqual([challenges.live.id]);
    expect((await db.selectFrom('idempotency_keys').select('key').where('key', 'like', 'dm19-%').execute()).map((r) => r.key)).toEqual(['dm19-live']);
    const tokensLeft = (await db.selectFrom('refresh_tokens').select('id').where('id', 'in', Object.values(tokens).map((x) => x.id)).execute()).map((r) => r.id).sort();
    const { spentOld: _gone1, revokedOld: _gone2, expiredOld: _gone3, ...kept } = tokens;
    expect(tokensLeft).toEqual(Object.values(kept).map((x) => x.id).sort());
    expect(await ids('operator_sessions', [sessions.old.id, sessions.young.id])).toEqual([sessions.young.id]);
    expect((await db.selectFrom('auth_throttle').select('key').where('key', 'like', 'ip:dm19-%').execute()).map((r) => r.key)).toEqual(['ip:dm19-young']);
    const replayLeft = await db.selectFrom('dpop_replay').select('key').where('key', 'in', [replay.old, replay.live]).execute();
    expect(replayLeft.map((r) => Buffer.from(r.key).toString('hex'))).toEqual([replay.live.toString('hex')]);
    expect((await db.selectFrom('audit_events').select('action').where('action', 'like', 'dm19.%').execute()).map((r) => r.action)).toEqual(['dm19.young']);
    const occurrencesLeft = (await db.selectFrom('scheduled_job_occurrences').select('id').where('job_id', '=', jobId).execute()).map((r) => r.id).sort();
    expect(occurrencesLeft).toEqual([occurrences.young, occurrences.running, occurrences.pending].sort());
    const approvalsLeft = await db.selectFrom('device_approvals').select(['id', 'status']).where('id', 'in', Object.values(approvals).map((a) => a.id)).execute();
    expect(approvalsLeft.sort((a, b) => a.id.localeCompare(b.id))).toEqual([{ id: approvals.young.id, status: 'denied' }, { id: approvals.fresh.id, status: 'pending' }].sort((a, b) => a.id.localeCompare(b.id)));
    expect((await db.selectFrom('job_scheduler_work_items').select('dedupe_key').where('dedupe_key', 'like', 'dm19:%').orderBy('dedupe_key').execute()).map((r) => r.dedupe_key)).toEqual(['dm19:queued', 'dm19:young']);
  });
});
