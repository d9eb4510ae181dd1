// Quick-job test helpers: an assembly saved as rows (the way the assembly store reads them), and a
// job-running test agent on a real /agent socket that verifies signatures and answers like an agent.

import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { OPERATOR_NAMESPACE } from '@borealis/protocol';
import { QuickJobRunPayloadSchema, verifyJobSignature, type QuickJobRunAck, type QuickJobRunPayload } from '@borealis/protocol/agent';
import { normalizePayload } from '../src/domains/assemblies/assembly-document';
import type { TestEngine } from './engine-harness';
import { openAgentSocket, type TestAgent } from './test-agent';

/** Inserts a user-domain assembly (revision 1) and returns its GUID. */
export async function insertAssembly(
  t: TestEngine,
  input: { script?: string; variables?: unknown[]; warningExitCodes?: number[]; timeoutSeconds?: number; name?: string } = {},
): Promise<string> {
  const guid = randomUUID();
  const n = normalizePayload({
    name: input.name ?? 'Probe',
    type: 'bash',
    script: input.script ?? 'echo hello\n',
    variables: input.variables ?? [],
    warning_exit_codes: input.warningExitCodes ?? [],
    timeout_seconds: input.timeoutSeconds ?? 3600,
  });
  const db = t.engine.ctx.db;
  const now = t.engine.ctx.clock.now();
  const hash = Buffer.from(n.contentHash, 'hex');
  await db
    .insertInto('assemblies')
    .values({ assembly_guid: guid, assembly_type: 'script', assembly_subtype: 'bash', display_name: input.name ?? 'Probe', summary: null, domain: 'user', site_id: null, revision: 1, content_hash: hash, platforms: ['linux'], source_path: null, created_by_user_id: null, created_at: now, updated_at: now })
    .execute();
  await db.insertInto('assembly_revisions').values({ assembly_guid: guid, revision: 1, payload: JSON.stringify(n.payload), content_hash: hash, script_bytes: n.scriptBytes, change_note: null, created_by_user_id: null, created_at: now }).execute();
  return guid;
}

export async function engineSigningPublicKey(t: TestEngine): Promise<{ keyId: string; key: KeyObject }> {
  const row = await t.engine.ctx.db.selectFrom('signing_keys').select(['key_id', 'public_key_spki']).where('state', '=', 'active').executeTakeFirstOrThrow();
  return { keyId: row.key_id, key: createPublicKey({ key: row.public_key_spki, format: 'der', type: 'spki' }) };
}

export interface ReceivedRun {
  readonly payload: QuickJobRunPayload;
  readonly isSignatureValid: boolean;
}

/** A connected agent that records quick_job_run / quick_job_cancel and answers with `answer`. */
export class JobAgent {
  readonly runs: ReceivedRun[] = [];
  readonly cancels: unknown[] = [];
  /** The ack for a delivery; null stays silent, 'hold' keeps the ack in `held` for the test to send. */
  answer: (payload: QuickJobRunPayload) => QuickJobRunAck | null | 'hold' = () => ({ accepted: true });
  readonly held: Array<() => void> = [];

  private constructor(
    readonly agent: TestAgent,
    readonly socket: Socket,
    publicKey: KeyObject,
  ) {
    socket.on('quick_job_run', (raw: unknown, ack: (a: unknown) => void) => {
      const payload = QuickJobRunPayloadSchema.parse(raw);
      this.runs.push({ payload, isSignatureValid: verifyJobSignature(publicKey, payload, payload.signature) });
      const answer = this.answer(payload);
      if (answer === 'hold') this.held.push(() => ack({ accepted: true }));
      else if (answer) ack(answer);
    });
    socket.on('quick_job_cancel', (raw: unknown, ack: (a: unknown) => void) => {
      this.cancels.push(raw);
      ack({ ok: true, state: 'cancelling' });
    });
  }

  static async connect(t: TestEngine, agent: TestAgent, options: { answer?: JobAgent['answer'] } = {}): Promise<JobAgent> {
    const { key } = await engineSigningPublicKey(t);
    await agent.issueTokens();
    const outcome = await openAgentSocket(t.url!, agent.upgradeHeaders());
    if ('error' in outcome) throw new Error(`connect_error ${outcome.error.message}`);
    // Listeners first: the engine delivers pending jobs right after it acks connect_agent.
    const runner = new JobAgent(agent, outcome.socket, key);
    if (options.answer) runner.answer = options.answer;
    const ack = (await outcome.socket.timeout(5_000).emitWithAck('connect_agent', agent.connectPayload())) as { ok?: unknown };
    if (ack.ok !== true) throw new Error(`connect_agent refused: ${JSON.stringify(ack)}`);
    return runner;
  }

  progress(payload: Record<string, unknown>): Promise<unknown> {
    return this.socket.timeout(5_000).emitWithAck('quick_job_progress', payload);
  }

  result(jobId: string, overrides: Record<string, unknown> = {}): Promise<unknown> {
    return this.socket.timeout(10_000).emitWithAck('quick_job_result', resultBody(jobId, overrides));
  }

  close(): void {
    this.socket.close();
  }
}

export function resultBody(jobId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    job_id: jobId,
    status: 'Success',
    exit_code: 0,
    signal: null,
    stdout: 'hello\n',
    stderr: '',
    stdout_truncated: false,
    stderr_truncated: false,
    stdout_total_bytes: 6,
    stderr_total_bytes: 0,
    accepted_at: '2026-11-26T06:00:00.000Z',
    started_at: '2026-11-26T06:00:00.000Z',
    finished_at: '2026-11-26T06:00:01.000Z',
    duration_ms: 1000,
    ...overrides,
  };
}

export function openOperatorSocket(url: string, cookie: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(`${url}${OPERATOR_NAMESPACE}`, { transports: ['websocket'], reconnection: false, timeout: 5_000, extraHeaders: { cookie }, forceNew: true });
    socket.on('connect', () => resolve(socket));
    socket.on('connect_error', reject);
  });
}

/** Polls until `check` holds (bounded). */
export async function until(check: () => boolean | Promise<boolean>, ms = 8_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
