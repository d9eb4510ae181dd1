// Cross-node signals between two api nodes on one PostgreSQL database (data-model.md §2 and §6,
// security.md §2.4, §3.7 and §5.1, automation.md §1.3): a revoked session's operator socket on the
// other node closes within 2 s, an unlock elsewhere ends sockets of older epochs, an assembly edit
// reaches the other node's cache at once, and a force reset (CLI path) zeroes every node's keys.

import { rmSync } from 'node:fs';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock';
import { createPostgresDatabase, type TestPostgresDatabase } from '../../test/databases';
import { makeHome, startTestEngine, type TestEngine } from '../../test/engine-harness';
import { setUpEngine, signInAs, TEST_PASSPHRASE, type SignedInAdmin } from '../../test/factories';
import { operatorClient } from '../../test/operator-client';
import { openOperatorSocket, until } from '../../test/quick-job-fixtures';
import { forceReset, FORCE_RESET_PHRASE } from '../domains/aegis/force-reset';

describe('cross-node signals: two engines on one PostgreSQL database', () => {
  // A manual clock that never moves: the 60 s cache age cannot be what refreshes node B.
  const clock = createManualClock('2026-11-26T06:00:00Z');
  const home = makeHome();
  let postgres: TestPostgresDatabase;
  let a: TestEngine;
  let b: TestEngine;
  let admin: SignedInAdmin;
  const sockets: Socket[] = [];

  const cookieOf = (client: SignedInAdmin['client']) => `borealis_session=${client.jar.get('borealis_session')}`;
  const socketOn = async (t: TestEngine, client: SignedInAdmin['client']) => {
    const socket = await openOperatorSocket(t.url!, cookieOf(client));
    sockets.push(socket);
    return socket;
  };
  const closedWithin = (socket: Socket) =>
    new Promise<{ reason: string; ms: number }>((resolve, reject) => {
      const started = Date.now();
      const timer = setTimeout(() => reject(new Error('the socket stayed open for 10 s')), 10_000);
      socket.on('disconnect', (reason) => {
        clearTimeout(timer);
        resolve({ reason, ms: Date.now() - started });
      });
    });

  beforeAll(async () => {
    postgres = await createPostgresDatabase('cross_node');
    a = await startTestEngine({ dialect: 'postgres', postgres, home, clock, listen: true, agent: { loops: false } });
    b = await startTestEngine({ dialect: 'postgres', postgres, home, clock, listen: true, agent: { loops: false } });
    admin = await setUpEngine(a);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await b?.close();
    await a?.close();
    await postgres?.drop();
    rmSync(home, { recursive: true, force: true });
  });

  it('an unlock on node B ends node A sockets of the older epoch within 2 s', async () => {
    const older = await socketOn(a, admin.client);
    const closed = closedWithin(older);
    const unlocked = await operatorClient(b.engine.app!).post('/api/bootstrap/aegis/unlock', { cipher: TEST_PASSPHRASE });
    expect(unlocked.json()).toMatchObject({ phase: 'login_required', locked: false });
    const { reason, ms } = await closed;
    expect(reason).toBe('io server disconnect');
    expect(ms).toBeLessThan(2_000);
  });

  it('S24 across nodes: signing out on node A closes the session socket on node B within 2 s', async () => {
    const operator = await signInAs(a, { role: 'admin' });
    const onB = await socketOn(b, operator.client as SignedInAdmin['client']);
    const bystander = await signInAs(a, { role: 'admin' });
    const other = await socketOn(b, bystander.client as SignedInAdmin['client']);
    const closed = closedWithin(onB);
    expect((await operator.client.post('/api/auth/logout')).statusCode).toBe(204);
    const { reason, ms } = await closed;
    expect(reason).toBe('io server disconnect');
    expect(ms).toBeLessThan(2_000);
    // Only the revoked session's socket goes.
    await new Promise((r) => setTimeout(r, 300));
    expect(other.connected).toBe(true);
  });

  it('an assembly edit on node A is what node B resolves next, without waiting out the 60 s cache age', async () => {
    const editor = await signInAs(a, { role: 'admin' });
    const created = await editor.client.post('/api/assemblies', { display_name: 'Across', payload: { type: 'bash', script: 'echo one\n' } });
    expect(created.statusCode, created.body).toBe(201);
    const { assembly_guid: guid, payload } = created.json() as { assembly_guid: string; payload: Record<string, unknown> };
    const store = b.engine.ctx.security!.assemblies;
    expect((await store.resolve(guid)).revision).toBe(1);
    const saved = await editor.client.request('PUT', `/api/assemblies/${guid}`, { body: { payload: { ...payload, script: 'echo two\n' } }, headers: { 'if-match': '1' } });
    expect(saved.statusCode, saved.body).toBe(200);
    await until(async () => (await store.resolve(guid)).revision === 2, 2_000);
    expect((await store.resolve(guid)).script.toString('utf8')).toBe('echo two\n');
  });

  it('a force reset from the CLI path zeroes the keys of both nodes and closes their sockets within 2 s', async () => {
    const onA = await signInAs(a, { role: 'admin' });
    const onB = await signInAs(b, { role: 'admin' });
    const closedA = closedWithin(await socketOn(a, onA.client as SignedInAdmin['client']));
    const closedB = closedWithin(await socketOn(b, onB.client as SignedInAdmin['client']));
    // As `borealis aegis force-reset` runs it: its own process, no keyring of either node.
    const security = a.engine.ctx.security!;
    await forceReset({ db: a.engine.ctx.db, clock, audit: security.audit, setupTokens: security.setupTokens }, FORCE_RESET_PHRASE, { type: 'system', id: null, name: 'cli', ip: null, requestId: null });
    for (const closed of [closedA, closedB]) {
      const { ms } = await closed;
      expect(ms).toBeLessThan(2_000);
    }
    await until(() => !a.engine.ctx.security!.keyring.isUnlocked && !b.engine.ctx.security!.keyring.isUnlocked, 2_000);
    const state = await operatorClient(b.engine.app!).get('/api/bootstrap/state');
    expect(state.json()).toMatchObject({ phase: 'aegis_setup_required', locked: true });
  });
});
