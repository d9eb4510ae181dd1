// Test kit for the job executor: signed payloads from a throw-away engine key, and an in-memory
// engine end of the transport that records progress and results and acks them.
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signJob, spkiB64FromKey, type QuickJobResult, type QuickJobRunPayload } from '@borealis/protocol/agent';
import { silentLog } from '../runtime/agent-log';
import { systemRuntime } from '../runtime/runtime';
import { createJobExecutor, type JobExecutor, type JobTransport } from './job-executor';

export const GUID = '0A1B2C3D-0000-4000-8000-00000000ABCD';
export const KEY_ID = '0123456789abcdef';
const engineKey = generateKeyPairSync('ed25519');
export const PINNED = [{ key_id: KEY_ID, public_key_spki_b64: spkiB64FromKey(engineKey.publicKey) }];

export function jobPayload(script: string, over: Partial<QuickJobRunPayload> = {}): QuickJobRunPayload {
  const bytes = Buffer.from(script);
  const now = Date.now();
  const unsigned = {
    job_id: randomUUID(),
    device_guid: GUID,
    quick_job_id: '1',
    script_type: 'bash' as const,
    script_name: 'test',
    script_content: bytes.toString('base64'),
    script_encoding: 'base64' as const,
    script_sha256: createHash('sha256').update(bytes).digest('hex'),
    files: [],
    environment: {},
    run_mode: 'system' as const,
    timeout_seconds: 60,
    warning_exit_codes: [],
    output_max_bytes: 1024 * 1024,
    issued_at: new Date(now).toISOString(),
    not_after: new Date(now + 600_000).toISOString(),
    signing_key_id: KEY_ID,
    sig_alg: 'ed25519' as const,
    signature: '',
    context: { assembly_guid: 'a', assembly_revision: 1, source: 'quick_job' },
    ...over,
  };
  return { ...unsigned, signature: over.signature ?? signJob(engineKey.privateKey, unsigned) };
}

export interface EngineEnd extends JobTransport {
  connected: boolean;
  readonly progress: Array<Record<string, unknown>>;
  readonly results: QuickJobResult[];
  readonly posted: QuickJobResult[];
}

export function engineEnd(): EngineEnd {
  const end: EngineEnd = {
    connected: true,
    progress: [],
    results: [],
    posted: [],
    isConnected: () => end.connected,
    async emit(event, payload) {
      if (!end.connected) throw new Error('socket not registered');
      if (event === 'quick_job_progress') end.progress.push(payload as Record<string, unknown>);
      if (event === 'quick_job_result') end.results.push(payload as QuickJobResult);
      return { ok: true };
    },
    async postResult(_jobId, body) {
      end.posted.push(body);
      return 200;
    },
  };
  return end;
}

export async function makeExecutor(end: EngineEnd, stateDir = mkdtempSync(join(tmpdir(), 'borealis-jobs-'))): Promise<{ executor: JobExecutor; stateDir: string }> {
  const executor = createJobExecutor({ guid: GUID, stateDir, runtime: systemRuntime, now: () => Date.now(), log: silentLog, transport: end, signingKeys: () => PINNED });
  await executor.start();
  return { executor, stateDir };
}

/** Runs one payload through acceptance and waits until its result is acked. */
export async function runToResult(executor: JobExecutor, end: EngineEnd, payload: QuickJobRunPayload): Promise<QuickJobResult> {
  const ack = await executor.handleRun(payload);
  if (!ack.accepted) throw new Error(`refused: ${ack.error_code}`);
  await executor.settled(payload.job_id);
  const result = [...end.results, ...end.posted].find((r) => r.job_id === payload.job_id);
  if (!result) throw new Error('no result');
  return result;
}
