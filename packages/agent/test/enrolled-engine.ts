// A real engine over TLS (its own local CA) with one agent root enrolled into it through the agent's
// own `enroll` code path (auto-approved site code), for module tests that need the engine's real
// answers; more agents enrol with `enroll`, and `recordingHttp` wraps the agent's real transport to
// list the requests it sent.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestEngine, type TestEngine, type TestEngineOptions } from '@borealis/engine/testing';
import { setUpEngine, type SignedInAdmin } from '@borealis/engine/testing/factories';
import { enrollCommand } from '../src/cli/enroll-command';
import { deviceKeyFromIdentity } from '../src/identity/device-key';
import type { AgentPaths } from '../src/paths/agent-paths';
import { createAgentClock, type AgentClock } from '../src/runtime/clock-offset';
import { createAgentStateFile } from '../src/state/agent-state';
import { createAgentStore, type AgentStore } from '../src/state/agent-store';
import { createAgentHttp, type AgentHttp } from '../src/transport/agent-http';
import { freePort } from './real-agent-process';

export interface EnrolledAgent {
  /** The agent's row GUID (lower case, as stored in `devices.guid`). */
  readonly rowGuid: string;
  /** The GUID as the agent holds and sends it (upper case). */
  readonly guid: string;
  readonly store: AgentStore;
  readonly clock: AgentClock;
  readonly http: AgentHttp;
}

export interface EnrolledEngine extends EnrolledAgent, TlsEngine {
  /** Enrols another agent root through the same auto-approved code; `now` skews its host clock. */
  enroll(paths: AgentPaths, options?: { readonly now?: () => number }): Promise<EnrolledAgent>;
}

export interface EnrolledEngineOptions {
  /** The engine's injected clock. */
  readonly clock?: TestEngineOptions['clock'];
  /** Extra engine configuration (BOREALIS_* variables). */
  readonly env?: Record<string, string>;
}

export interface TlsEngine {
  readonly t: TestEngine;
  readonly url: string;
  /** The signed-in admin that set the engine up (operator API). */
  readonly admin: SignedInAdmin;
  /** The engine's local CA, which agents pin. */
  readonly caPem: string;
  close(): Promise<void>;
}

/** A real engine on loopback over TLS with its own local CA, Aegis set up and an admin signed in. */
export async function startTlsEngine(options: EnrolledEngineOptions = {}): Promise<TlsEngine> {
  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;
  const t = await startTestEngine({
    dialect: 'pglite',
    listen: true,
    env: { BOREALIS_TLS: 'on', BOREALIS_PORT: String(port), BOREALIS_PUBLIC_URL: url, ...options.env },
    ...(options.clock ? { clock: options.clock } : {}),
  });
  try {
    const admin = await setUpEngine(t);
    const caPem = t.engine.ctx.agentTrust?.caPem;
    if (!caPem) throw new Error('the TLS test engine has no local CA');
    return { t, url, admin, caPem, close: () => t.close() };
  } catch (err) {
    await t.close();
    throw err;
  }
}

/** Creates a site through the operator API; its enrolment code. */
export async function createSite(admin: SignedInAdmin, name: string): Promise<{ readonly id: number; readonly code: string }> {
  const site = await admin.client.post('/api/sites', { name });
  if (site.statusCode !== 201) throw new Error(`site: ${site.body}`);
  const { id, enrollment_code: code } = site.json() as { id: number; enrollment_code: string };
  return { id, code };
}

export async function startEnrolledEngine(paths: AgentPaths, options: EnrolledEngineOptions = {}): Promise<EnrolledEngine> {
  const engine = await startTlsEngine(options);
  const { t, url, admin, caPem } = engine;
  const agents: AgentHttp[] = [];
  try {
    const { id, code } = await createSite(admin, 'Module tests');
    const window = await admin.client.post(`/api/sites/${id}/auto-approval`, { auto_approve_until: new Date(Date.now() + 3600_000).toISOString() });
    if (window.statusCode >= 300) throw new Error(`auto-approval: ${window.body}`);

    const enroll = async (agentPaths: AgentPaths, agentOptions: { readonly now?: () => number } = {}): Promise<EnrolledAgent> => {
      const caFile = join(agentPaths.root, 'engine-ca.pem');
      writeFileSync(caFile, caPem);
      const store = createAgentStore({ paths: agentPaths });
      let said = '';
      const io = { env: {}, out: (text: string) => void (said += text), err: (text: string) => void (said += text) };
      const run = async (isNoWait: boolean) => {
        const exit = await enrollCommand(store, { serverUrl: url, enrollmentCode: code, engineCaPemFile: caFile, isNoWait }, io);
        if (exit !== 0) throw new Error(`enroll exited ${exit}: ${said}`);
      };
      await run(true);
      if ((await store.load()).agent?.guid === undefined) {
        // Every agent root here has this host's name, so after the first the engine holds the request
        // for an operator (§2.5 same_hostname); the admin approves it as a second device.
        const reference = (await createAgentStateFile(agentPaths).read()).pending_approval?.approval_reference;
        const list = await admin.client.get('/api/admin/device-approvals?status=pending');
        const approval = (list.json() as { approvals: Array<{ id: string; approval_reference: string }> }).approvals.find((a) => a.approval_reference === reference);
        if (!approval) throw new Error(`no pending approval ${reference}: ${list.body}`);
        const approved = await admin.client.post(`/api/admin/device-approvals/${approval.id}/approve`, { conflict_resolution: 'coexist' });
        if (approved.statusCode !== 200) throw new Error(`approve: ${approved.body}`);
        await run(false);
      }
      const file = await store.load();
      if (!file.agent?.guid || !file.identity) throw new Error(`enrolment wrote no GUID: ${said}`);
      // The host clock: the agent's clock and its transport (Date samples) read the same one.
      const now = agentOptions.now ?? Date.now;
      const clock = createAgentClock({ now });
      const http = createAgentHttp({ serverUrl: file.server_url, trust: file.trust, privateKey: deviceKeyFromIdentity(file.identity).privateKey, clock, now });
      agents.push(http);
      return { rowGuid: file.agent.guid.toLowerCase(), guid: file.agent.guid, store, clock, http };
    };

    const first = await enroll(paths);
    return {
      ...first,
      t,
      url,
      admin,
      caPem,
      enroll,
      async close() {
        for (const http of agents) http.close();
        await t.close();
      },
    };
  } catch (err) {
    for (const http of agents) http.close();
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
  /** The error code of a refusal. */
  readonly code?: string;
  /** What the transport was asked to send as `Authorization: DPoP …` and bind into the proof. */
  readonly accessToken?: string;
  /** The DPoP nonce the transport was asked to put into the proof. */
  readonly nonce?: string;
  /** A 429's Retry-After. */
  readonly retryAfterMs?: number;
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
      const record = (status: number, code?: string, retryAfterMs?: number) =>
        sent.push({
          method: request.method,
          path: request.path,
          headers: { ...request.headers },
          body: request.body,
          ...(request.accessToken === undefined ? {} : { accessToken: request.accessToken }),
          ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
          status,
          ...(code === undefined ? {} : { code }),
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      try {
        const response = await http.send(request);
        record(response.status);
        return response;
      } catch (err) {
        const e = err as { status?: number; code?: string; extra?: { retryAfterMs?: number } };
        record(e.status ?? 0, e.code, e.extra?.retryAfterMs);
        throw err;
      }
    },
  };
}
