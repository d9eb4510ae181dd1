// A real engine over TLS (its own local CA) with one agent root enrolled into it through the agent's
// own `enroll` code path (auto-approved site code), for module tests that need the engine's real
// answers; `recordingHttp` wraps the agent's real transport to list the requests it sent.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeHome, startTestEngine, type TestEngine } from '@borealis/engine/testing';
import { setUpEngine } from '@borealis/engine/testing/factories';
import { enrollCommand } from '../src/cli/enroll-command';
import { deviceKeyFromIdentity } from '../src/identity/device-key';
import type { AgentPaths } from '../src/paths/agent-paths';
import { createAgentClock, type AgentClock } from '../src/runtime/clock-offset';
import { createAgentStore, type AgentStore } from '../src/state/agent-store';
import { createAgentHttp, type AgentHttp } from '../src/transport/agent-http';
import { freePort } from './real-agent-process';

export interface EnrolledEngine {
  readonly t: TestEngine;
  readonly url: string;
  /** The agent root's row GUID (lower case, as stored in `devices.guid`). */
  readonly rowGuid: string;
  readonly store: AgentStore;
  readonly clock: AgentClock;
  readonly http: AgentHttp;
  close(): Promise<void>;
}

export async function startEnrolledEngine(paths: AgentPaths): Promise<EnrolledEngine> {
  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;
  const t = await startTestEngine({ dialect: 'pglite', listen: true, home: makeHome(), env: { BOREALIS_TLS: 'on', BOREALIS_PORT: String(port), BOREALIS_PUBLIC_URL: url } });
  try {
    const admin = await setUpEngine(t);
    const site = await admin.client.post('/api/sites', { name: 'Module tests' });
    if (site.statusCode !== 201) throw new Error(`site: ${site.body}`);
    const { id, enrollment_code: code } = site.json() as { id: number; enrollment_code: string };
    const window = await admin.client.post(`/api/sites/${id}/auto-approval`, { auto_approve_until: new Date(Date.now() + 3600_000).toISOString() });
    if (window.statusCode >= 300) throw new Error(`auto-approval: ${window.body}`);
    const caPem = t.engine.ctx.agentTrust?.caPem;
    if (!caPem) throw new Error('the TLS test engine has no local CA');
    const caFile = join(paths.root, 'engine-ca.pem');
    writeFileSync(caFile, caPem);

    const store = createAgentStore({ paths });
    let said = '';
    const io = { env: {}, out: (text: string) => void (said += text), err: (text: string) => void (said += text) };
    const exit = await enrollCommand(store, { serverUrl: url, enrollmentCode: code, engineCaPemFile: caFile }, io);
    if (exit !== 0) throw new Error(`enroll exited ${exit}: ${said}`);
    const file = await store.load();
    if (!file.agent?.guid || !file.identity) throw new Error('enrolment wrote no GUID');
    const clock = createAgentClock({ now: Date.now });
    const http = createAgentHttp({ serverUrl: file.server_url, trust: file.trust, privateKey: deviceKeyFromIdentity(file.identity).privateKey, clock });
    return {
      t,
      url,
      rowGuid: file.agent.guid.toLowerCase(),
      store,
      clock,
      http,
      async close() {
        http.close();
        await t.close();
      },
    };
  } catch (err) {
    await t.close();
    throw err;
  }
}

export interface SentRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** The engine's answer, or the error code it refused with. */
  readonly status: number;
}

/** The agent's real transport, recording each request it sends and what the engine answered. */
export function recordingHttp(http: AgentHttp): AgentHttp & { readonly sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  return {
    sent,
    serverUrl: http.serverUrl,
    upgradeHeaders: (token) => http.upgradeHeaders(token),
    close: () => http.close(),
    async send(request) {
      const record = (status: number) => sent.push({ method: request.method, path: request.path, headers: { ...request.headers }, body: request.body, status });
      try {
        const response = await http.send(request);
        record(response.status);
        return response;
      } catch (err) {
        record((err as { status?: number }).status ?? 0);
        throw err;
      }
    },
  };
}
