// The real agent against the real engine over TLS (agent-protocol.md §2, §4, §5): the single-file
// agent enrols with the site code (approved through the operator API), runs, goes Online with its
// inventory stored, goes Offline within ~10 s when killed, and comes back by itself after an engine
// restart on the same home and database. Also a clean SIGTERM stop.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHome, startTestEngine, type TestEngine } from '@borealis/engine/testing';
import { setUpEngine, signInAs, TEST_PASSPHRASE, type SignedInAdmin } from '@borealis/engine/testing/factories';
import { operatorClient } from '@borealis/engine/testing/operator-client';
import { buildAgentBundle } from '../src/build/bundle';
import { freePort, spawnAgentProcess, until, WAIT_MS } from './real-agent-process';
import { makeAgentRoot, removeAgentRoots, VALID_CODE } from './agent-root';
import type { AgentPaths } from '../src/paths/agent-paths';


let bundle: string;
let work: string;
let home: string;
let port: number;
let url: string;
let t: TestEngine;
let admin: SignedInAdmin;
let paths: AgentPaths;
let caFile: string;
let siteCode: string;
const children: ChildProcess[] = [];

function startEngine(): Promise<TestEngine> {
  return startTestEngine({ dialect: 'pglite', listen: true, home, env: { BOREALIS_TLS: 'on', BOREALIS_PORT: String(port), BOREALIS_PUBLIC_URL: url } });
}

function spawnAgent(args: string[]) {
  return spawnAgentProcess(bundle, paths.root, args, children);
}

function agentGuid(): string {
  const file = JSON.parse(readFileSync(paths.configFile, 'utf8')) as { agent?: { guid?: string } };
  if (!file.agent?.guid) throw new Error('agent.json has no guid');
  return file.agent.guid;
}

/**
 * Presence of one device as one engine instance sees it, from its in-process events (the database
 * row is written in 10 s batches, and a row left by an earlier engine must not count).
 */
function watchPresence(engine: TestEngine, guid: string) {
  const seen: Array<{ status: string; at: number }> = [];
  const events = engine.engine.ctx.security!.deviceEvents;
  const listener = (e: { guid: string; status: string }) => {
    if (e.guid.toUpperCase() === guid) seen.push({ status: e.status, at: Date.now() });
  };
  events.on('presence_changed', listener);
  return {
    /** Time of the first `status` event after `since`. */
    when: (status: 'online' | 'offline', since = 0) => seen.find((e) => e.status === status && e.at >= since)?.at,
    stop: () => events.off('presence_changed', listener),
  };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'borealis-agent-e2e-'));
  bundle = (await buildAgentBundle({ outfile: join(work, 'borealis-agent.mjs') })).outfile;
  home = makeHome();
  port = await freePort();
  url = `https://127.0.0.1:${port}`;
  t = await startEngine();
  admin = await setUpEngine(t);
  const site = await admin.client.post('/api/sites', { name: 'Agent lab' });
  if (site.statusCode !== 201) throw new Error(`site: ${site.body}`);
  siteCode = (site.json() as { enrollment_code: string }).enrollment_code;
  const caPem = t.engine.ctx.agentTrust?.caPem;
  if (!caPem) throw new Error('the TLS test engine has no local CA');
  caFile = join(work, 'engine-ca.pem');
  writeFileSync(caFile, caPem);
  paths = makeAgentRoot();
}, 180_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await t?.close();
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  removeAgentRoots();
}, 60_000);

describe('the agent against a real engine', () => {
  it('enrols: the request waits in the approval queue, an operator approves it, enroll exits 0', async () => {
    expect(siteCode).not.toBe(VALID_CODE);
    const enroll = spawnAgent(['enroll', '--server-url', url, '--site-enrollment-code', siteCode, '--engine-ca-pem', caFile]);
    const approval = await until('a pending approval', async () => {
      const res = await admin.client.get('/api/admin/device-approvals?status=pending');
      const rows = (res.json() as { approvals?: Array<{ id: string; status: string }> }).approvals ?? [];
      return rows.find((r) => r.status === 'pending');
    }, WAIT_MS, enroll.output);
    const approved = await admin.client.post(`/api/admin/device-approvals/${approval.id}/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    expect(await enroll.exited).toBe(0);
    expect(enroll.output()).toContain('waiting for approval');
    expect(enroll.output()).toMatch(/enrolment approved: device [0-9A-F-]{36} in site Agent lab/);
    const file = JSON.parse(readFileSync(paths.configFile, 'utf8')) as { tokens?: { refresh_token?: string } };
    expect(file.tokens?.refresh_token).toMatch(/^[A-Za-z0-9_-]{64}$/);
  }, 180_000);

  it('runs: the device goes Online and its inventory is stored', async () => {
    const guid = agentGuid();
    const presence = watchPresence(t, guid);
    const run = spawnAgent(['run']);
    await until('Online', () => presence.when('online'), WAIT_MS, run.output);
    const sections = await until('inventory sections', async () => {
      const rows = await t.engine.ctx.db.selectFrom('device_inventory').select(['section']).where('device_guid', '=', guid.toLowerCase()).execute();
      return rows.length >= 9 ? rows.map((r) => r.section).sort() : undefined;
    }, WAIT_MS, run.output);
    expect(sections).toEqual(['cpu', 'memory', 'network', 'processes', 'services', 'sessions', 'software', 'storage', 'summary']);
    const beat = await until('a heartbeat with metrics', async () => {
      const row = await t.engine.ctx.db.selectFrom('device_heartbeat_state').selectAll().where('device_guid', '=', guid.toLowerCase()).executeTakeFirst();
      return row?.boot_id ? row : undefined;
    }, 30_000, run.output);
    expect(beat.boot_id).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    // P14 (agent side): with the socket up, heartbeats go over the socket, not REST.
    const state = JSON.parse(readFileSync(join(paths.stateDir, 'state.json'), 'utf8')) as { heartbeat_path?: string; socket_connected?: boolean; last_ack_at?: string };
    expect(state).toMatchObject({ heartbeat_path: 'socket', socket_connected: true });
    expect(state.last_ack_at).toBeDefined();
    const status = spawnAgent(['status']);
    expect(await status.exited).toBe(0);
    expect(status.output()).toMatch(/enrolled:\s+yes/);
    expect(status.output()).toMatch(/site:\s+\d+ \(Agent lab\)/);
    expect(status.output()).toMatch(/socket:\s+connected/);
    // One full upload after enrolment; the engine's inventory_wanted, asked while it was in flight, adds none.
    expect(run.output().match(/"msg":"inventory uploaded"[^\n]*"full":true/g)?.length).toBe(1);

    // Kill the agent: Offline within the 10 s socket-loss grace (plus the 1 s presence sweep).
    expect(run.output()).not.toContain('"level":"error"');
    const killedAt = Date.now();
    run.child.kill('SIGKILL');
    await run.exited;
    const offlineAt = await until('Offline', () => presence.when('offline', killedAt), 15_000);
    presence.stop();
    expect(offlineAt - killedAt).toBeLessThanOrEqual(12_000);
  }, 240_000);

  it('comes back Online by itself after the engine restarts on the same home and database', async () => {
    const guid = agentGuid();
    const before = watchPresence(t, guid);
    const run = spawnAgent(['run']);
    await until('Online before the restart', () => before.when('online'), WAIT_MS, run.output);
    before.stop();
    await t.close();
    t = await startEngine();
    const after = watchPresence(t, guid);
    // Online on the new engine instance: its event, or its node id on the presence row (in case the
    // agent registered before the listener was attached).
    const nodeId = t.engine.ctx.agents!.nodeId;
    await until('Online after the restart', async () => {
      if (after.when('online')) return true;
      const row = await t.engine.ctx.db.selectFrom('device_heartbeat_state').select('presence_node_id').where('device_guid', '=', guid.toLowerCase()).executeTakeFirst();
      return row?.presence_node_id === nodeId ? true : undefined;
    }, WAIT_MS, run.output);
    after.stop();
    // Agents came back while Aegis is still locked (§3.6). Operators need it unlocked, and the
    // operator client of the first engine instance is gone with it.
    const unlock = await operatorClient(t.engine.app!).post('/api/bootstrap/aegis/unlock', { cipher: TEST_PASSPHRASE });
    expect(unlock.statusCode, unlock.body).toBe(200);
    admin = { ...admin, client: (await signInAs(t, { role: 'admin' })).client };
    expect(run.output()).toMatch(/"msg":"socket registered"[\s\S]*"msg":"socket disconnected"[\s\S]*"msg":"socket registered"/);

    // SIGTERM stops it cleanly (exit 0), and the engine sees it go.
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('agent stopped');
  }, 240_000);

  it('recovers by reauth (§3.5) when its refresh token is refused, and goes Online', async () => {
    const guid = agentGuid();
    // An expired access token and an unknown refresh token: refresh fails, reauth with a nonce heals it.
    const file = JSON.parse(readFileSync(paths.configFile, 'utf8')) as { tokens: Record<string, string> };
    file.tokens.access_expires_at = new Date(Date.now() - 1000).toISOString();
    file.tokens.refresh_token = 'A'.repeat(64);
    writeFileSync(paths.configFile, JSON.stringify(file));
    const run = spawnAgent(['run']);
    // The device may still be Online from the last test (10 s grace), so look for the registration.
    await until('registration after reauth', () => (/"msg":"reauthenticated"[\s\S]*"msg":"socket registered"/.test(run.output()) ? true : undefined), WAIT_MS, run.output);
    const nodeId = t.engine.ctx.agents!.nodeId;
    await until('Online', async () => {
      const r = await t.engine.ctx.db.selectFrom('device_heartbeat_state').select('presence_node_id').where('device_guid', '=', guid.toLowerCase()).executeTakeFirst();
      return r?.presence_node_id === nodeId ? true : undefined;
    }, 30_000, run.output);
    expect(run.output()).toContain('"msg":"refresh token refused; reauthenticating","reason":"invalid_refresh_token"');
    expect(run.output()).toContain('"msg":"reauthenticated"');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  }, 240_000);

  it('P12 (agent side): purged → drops its GUID and tokens and re-enrols into the approval queue; revoked → stops', async () => {
    const guid = agentGuid();
    const db = t.engine.ctx.db;
    const presence = watchPresence(t, guid);
    const run = spawnAgent(['run']);
    await until('registered', () => (run.output().includes('"msg":"socket registered"') ? true : undefined), WAIT_MS, run.output);

    // Purge as the devices domain does: the row goes, a barrier stays, sockets are told.
    const row = await db.selectFrom('devices').select(['guid', 'token_version', 'hostname', 'agent_id']).where('guid', '=', guid.toLowerCase()).executeTakeFirstOrThrow();
    await db.deleteFrom('devices').where('guid', '=', row.guid).execute();
    await db.insertInto('device_purge_barriers').values({ device_guid: row.guid, required_token_version: row.token_version + 1, purged_at: new Date(), purged_by_user_id: null, last_hostname: row.hostname, last_agent_id: row.agent_id }).execute();
    t.engine.ctx.security!.deviceEvents.emit('trust_changed', { guid, reason: 'purged' });
    const approval = await until('a new pending approval', async () => {
      const res = await admin.client.get('/api/admin/device-approvals?status=pending');
      return ((res.json() as { approvals?: Array<{ id: string; status: string }> }).approvals ?? []).find((r) => r.status === 'pending');
    }, WAIT_MS, run.output);
    expect(run.output()).toMatch(/no longer knows this device \((device_purged|device_not_found)\); re-enrolling with the stored code/);
    const stored = JSON.parse(readFileSync(paths.configFile, 'utf8')) as { agent?: { guid?: string }; identity?: unknown; enrollment_code?: string };
    expect(stored.identity).toBeDefined();
    expect(stored.enrollment_code).toBeDefined();
    presence.stop();

    // Approved again: enrolled with fresh tokens (the engine gives the same key back its purged
    // GUID), and Online by itself: the running service kept polling.
    expect((await admin.client.post(`/api/admin/device-approvals/${approval.id}/approve`, {})).statusCode).toBe(200);
    await until('enrolled again', () => (/re-enrolling[\s\S]*enrolment approved: device [\s\S]*"msg":"socket registered"/.test(run.output()) ? true : undefined), WAIT_MS, run.output);
    const newGuid = agentGuid();
    const nodeId = t.engine.ctx.agents!.nodeId;
    await until('Online again', async () => {
      const r = await db.selectFrom('device_heartbeat_state').select('presence_node_id').where('device_guid', '=', newGuid.toLowerCase()).executeTakeFirst();
      return r?.presence_node_id === nodeId ? true : undefined;
    }, 30_000, run.output);

    // Revoke: the socket drops, the reconnect is refused with device_revoked, the agent stops its roles.
    await db.updateTable('devices').set({ status: 'revoked' }).where('guid', '=', newGuid.toLowerCase()).execute();
    t.engine.ctx.security!.deviceEvents.emit('trust_changed', { guid: newGuid, reason: 'revoked' });
    await until('the revoked stop', () => (run.output().includes('the device is revoked (device_revoked); roles stopped') ? true : undefined), WAIT_MS, run.output);
    const pending = await admin.client.get('/api/admin/device-approvals?status=pending');
    expect((pending.json() as { approvals: unknown[] }).approvals).toEqual([]);
    expect(run.child.exitCode).toBeNull(); // still running: it retries reauth every 6 h, never re-enrols
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  }, 300_000);
});
