// Scheduled-job realtime events are site-scoped (api.md "Browser realtime", automation.md §3.4), on
// PGlite and PostgreSQL: a job made within site A reaches admins and site-A operators, never an
// operator of site B only; a site-B job reaches site-B operators.

import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine, signInAs } from '../../../test/factories';
import { openOperatorSocket, until } from '../../../test/quick-job-fixtures';
import { insertAssembly, insertDevice, insertSite } from '../../../test/scheduling-fixtures';

describe.each(DIALECTS)('scheduled-job events by site scope on %s', (dialect) => {
  let t: TestEngine;
  const sockets: Socket[] = [];
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.close();
  });

  const listen = async (client: { jar: Map<string, string> }) => {
    const socket = await openOperatorSocket(t.url!, `borealis_session=${client.jar.get('borealis_session')}`);
    sockets.push(socket);
    const seen: Array<{ job_id: number; change: string }> = [];
    socket.on('scheduled_job_changed', (e: { job_id: number; change: string }) => seen.push(e));
    return seen;
  };

  let admin: Awaited<ReturnType<typeof setUpEngine>>;
  beforeAll(async () => {
    t = await startTestEngine({ dialect, listen: true, agent: { loops: false } });
    admin = await setUpEngine(t);
  });

  it('a site-A job reaches the admin and site-A operators only; a site-B job reaches site-B operators', async () => {
    const db = t.engine.ctx.db;
    const assembly = await insertAssembly(db);
    const siteA = await insertSite(db);
    const siteB = await insertSite(db);
    const inA = await insertDevice(db, { siteId: siteA });
    const inB = await insertDevice(db, { siteId: siteB });
    const opA = await signInAs(t, { role: 'operator', siteIds: [{ siteId: siteA }] });
    const opB = await signInAs(t, { role: 'operator', siteIds: [{ siteId: siteB }] });
    const seenByAdmin = await listen(admin.client);
    const seenByA = await listen(opA.client);
    const seenByB = await listen(opB.client);
    const body = (device: string) => ({ name: 'Scoped', components: [{ assembly_guid: assembly }], targets: [{ kind: 'device', device_guid: device }], schedule: { type: 'daily', start: '2030-01-01T02:30', timezone: 'UTC' } });

    const jobA = await opA.client.post('/api/scheduled_jobs', body(inA.guid));
    expect(jobA.statusCode, jobA.body).toBe(201);
    const idA = (jobA.json() as { id: number }).id;
    await until(() => seenByAdmin.length === 1 && seenByA.length === 1, 5_000);
    const jobB = await opB.client.post('/api/scheduled_jobs', body(inB.guid));
    expect(jobB.statusCode, jobB.body).toBe(201);
    const idB = (jobB.json() as { id: number }).id;
    await until(() => seenByB.length === 1 && seenByAdmin.length === 2, 5_000);
    expect((await opA.client.delete(`/api/scheduled_jobs/${idA}`)).statusCode).toBe(204);
    await until(() => seenByA.length === 2 && seenByAdmin.length === 3, 5_000);

    // Events to one socket keep their order, so B's first event being its own job shows A's never came.
    expect(seenByB).toEqual([{ job_id: idB, change: 'created' }]);
    expect(seenByA).toEqual([{ job_id: idA, change: 'created' }, { job_id: idA, change: 'deleted' }]);
    expect(seenByAdmin.map((e) => e.job_id)).toEqual([idA, idB, idA]);
  });
});
