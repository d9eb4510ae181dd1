// §4.5 config pulls against the real engine over TLS: a revision named by an ack is pulled after
// U(0, 30 s) without If-None-Match, the held revision is sent as If-None-Match (304 keeps it), and a
// changed device config is pulled again no sooner than 60 s after the last pull.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentConfig } from '@borealis/protocol/agent';
import { makeAgentRoot, removeAgentRoots } from '../../test/agent-root';
import { recordingHttp, startEnrolledEngine, type EnrolledEngine } from '../../test/enrolled-engine';
import { manualRuntime } from '../../test/seeded-runtime';
import { createDeviceSession } from '../auth/device-session';
import { silentLog } from '../runtime/agent-log';
import { createConfigPuller, PULL_MIN_GAP_MS } from './config-puller';

let e: EnrolledEngine;

beforeAll(async () => {
  e = await startEnrolledEngine(makeAgentRoot());
}, 120_000);
afterAll(async () => {
  await e?.close();
  removeAgentRoots();
});

describe('config pulls (§4.5)', () => {
  it('sends If-None-Match, keeps the copy on 304, and spreads and limits pulls', async () => {
    const http = recordingHttp(e.http);
    const pulls = () => http.sent.filter((r) => r.path === '/api/agent/config');
    const runtime = manualRuntime(12, Date.now());
    const session = await createDeviceSession({ http, store: e.store, clock: e.clock, runtime, log: silentLog });
    const applied: AgentConfig[] = [];
    const puller = createConfigPuller({ session, runtime, log: silentLog, apply: (c) => applied.push(c), onLifecycleError: () => undefined });

    // An ack names a revision this agent does not hold: nothing happens at once; within 30 s the pull runs.
    puller.noteRevision('from-the-ack');
    expect(pulls()).toHaveLength(0);
    await runtime.advance(30_000);
    await until(() => applied.length === 1);
    const first = applied[0]!;
    expect(pulls()[0]).toMatchObject({ method: 'GET', status: 200 });
    expect(pulls()[0]?.headers['if-none-match']).toBeUndefined();
    expect(first.heartbeat_interval_s).toBeGreaterThan(0);

    // The held revision again: no pull. A direct pull sends If-None-Match and the engine's 304 keeps it.
    puller.noteRevision(first.revision);
    await runtime.advance(60_000);
    expect(pulls()).toHaveLength(1);
    await puller.pullNow();
    expect(pulls()[1]).toMatchObject({ status: 304, headers: { 'if-none-match': `"${first.revision}"` } });
    expect(puller.revision()).toBe(first.revision);
    expect(applied).toHaveLength(1);

    // An operator changes this device's config right after that pull: not pulled before 60 s have passed since it.
    await e.t.engine.ctx.db.updateTable('devices').set({ agent_config: JSON.stringify({ heartbeat_interval_s: first.heartbeat_interval_s + 15 }) }).where('guid', '=', e.rowGuid).execute();
    puller.noteRevision('changed-by-the-operator');
    await runtime.advance(PULL_MIN_GAP_MS - 1000);
    expect(pulls()).toHaveLength(2);
    await runtime.advance(2000);
    await until(() => applied.length === 2);
    expect(applied[1]!.revision).not.toBe(first.revision);
    expect(applied[1]!.heartbeat_interval_s).toBe(first.heartbeat_interval_s + 15);
    expect(puller.revision()).toBe(applied[1]!.revision);
    puller.stop();
  }, 60_000);
});

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached within 10 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}
