// Conformance DM8 (data-model.md §7) with a real engine process on PostgreSQL: after kill -9 of a
// node holding agent sockets, no row names it in presence_node_id once it has been silent 40 s (the
// surviving node's sweep, on its injected clock); a graceful stop clears its presence before exit.
// A few sockets stand in for the spec's 1,000: the sweep clears a node's rows in one statement,
// whatever their number.

import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../../clock';
import { createPostgresDatabase, type TestPostgresDatabase } from '../../../../test/databases';
import { makeHome, startTestEngine, type TestEngine } from '../../../../test/engine-harness';
import { connectAgent, TestAgent } from '../../../../test/test-agent';

const BIN = fileURLToPath(new URL('../../../../bin/borealis.mjs', import.meta.url));
const SOCKETS = 8;
// One cluster: one host secret (shared home) and one public URL, the `iss` and `htu` origin.
const PUBLIC_URL = 'https://engine.test';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const value = await fn();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('DM8: node presence with a real engine process (PostgreSQL)', () => {
  const clock = createManualClock(new Date());
  const home = makeHome();
  let postgres: TestPostgresDatabase;
  let survivor: TestEngine;
  const children: ChildProcess[] = [];
  const sockets: Socket[] = [];
  beforeAll(async () => {
    postgres = await createPostgresDatabase('dm8');
    survivor = await startTestEngine({ dialect: 'postgres', postgres, home, clock, env: { BOREALIS_PUBLIC_URL: PUBLIC_URL }, listen: true, agent: { loops: false } });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await survivor?.close();
    await postgres?.drop();
    rmSync(home, { recursive: true, force: true });
  });
  const db = () => survivor.engine.ctx.db;

  /** `borealis start` as a child on the same database and home; resolves once /health answers. */
  async function startNode(): Promise<{ child: ChildProcess; url: string }> {
    const port = await freePort();
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BOREALIS_')));
    const child = spawn(process.execPath, [BIN, 'start'], {
      env: { ...base, BOREALIS_HOME: home, BOREALIS_DATABASE_URL: postgres.url, BOREALIS_PUBLIC_URL: PUBLIC_URL, BOREALIS_HOST: '127.0.0.1', BOREALIS_PORT: String(port), BOREALIS_TLS: 'off', BOREALIS_LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    children.push(child);
    const url = `http://127.0.0.1:${port}`;
    await waitFor('the node to serve /health', async () => (await fetch(`${url}/health`).catch(() => null))?.ok, 60_000);
    return { child, url };
  }

  /** Connects agents to the node and waits until its flush wrote their presence; returns the node id. */
  async function holdSockets(url: string): Promise<{ agents: TestAgent[]; nodeId: string }> {
    const agents = await Promise.all(Array.from({ length: SOCKETS }, () => TestAgent.create(survivor)));
    for (const a of agents) sockets.push((await connectAgent(url, a)).socket);
    const rows = await waitFor(
      'the node to write the presence of its sockets',
      async () => {
        const r = await db().selectFrom('device_heartbeat_state').select('presence_node_id').where('device_guid', 'in', agents.map((a) => a.rowGuid)).execute();
        return r.length === SOCKETS && r.every((x) => x.presence_node_id !== null && x.presence_node_id === r[0]!.presence_node_id) && r;
      },
      20_000,
    );
    const nodeId = rows[0]!.presence_node_id!;
    expect(nodeId).not.toBe(survivor.engine.ctx.agents!.nodeId);
    return { agents, nodeId };
  }
  const rowsNaming = async (nodeId: string) => (await db().selectFrom('device_heartbeat_state').select('device_guid').where('presence_node_id', '=', nodeId).execute()).length;
  const nodeRow = (nodeId: string) => db().selectFrom('engine_nodes').select('node_id').where('node_id', '=', nodeId).executeTakeFirst();

  it('DM8: a graceful stop clears the node’s presence before the process exits', async () => {
    const { child, url } = await startNode();
    const { nodeId } = await holdSockets(url);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // Nothing else cleared it: the survivor has not flushed or swept since the node started.
    expect(await rowsNaming(nodeId)).toBe(0);
    expect(await nodeRow(nodeId)).toBeUndefined();
  });

  it('DM8: after kill -9 of a node holding sockets, no row names it in presence_node_id after 40 s', async () => {
    const { child, url } = await startNode();
    const { nodeId } = await holdSockets(url);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const killedAt = new Date();
    child.kill('SIGKILL');
    await exited;
    expect(await rowsNaming(nodeId)).toBe(SOCKETS);
    // The surviving node's flush round sweeps nodes silent for 30 s. Silent 29 s: not yet.
    const lastSeen = (await db().selectFrom('engine_nodes').select('last_seen_at').where('node_id', '=', nodeId).executeTakeFirstOrThrow()).last_seen_at;
    clock.set(new Date(lastSeen.getTime() + 29_000));
    await survivor.engine.ctx.agents!.flush();
    expect(await rowsNaming(nodeId)).toBe(SOCKETS);
    // 40 s after the kill (so silent ≥ 40 s):
    clock.set(new Date(killedAt.getTime() + 40_000));
    await survivor.engine.ctx.agents!.flush();
    expect(await rowsNaming(nodeId)).toBe(0);
    expect(await nodeRow(nodeId)).toBeUndefined();
  });
});
