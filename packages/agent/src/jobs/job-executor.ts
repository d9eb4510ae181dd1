// The agent's job executor (agent-protocol.md §6.2–§6.6, §5.4): acceptance checks in order,
// the journal, at most 4 running and 32 queued, live output with a 4-chunk window, results
// re-sent until acked (every 30 s and after each reconnect), and the job dir removed after the ack.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  QuickJobCancelSchema,
  QuickJobRunPayloadSchema,
  verifyJobSignature,
  type QuickJobResult,
  type QuickJobRunAck,
  type QuickJobRunPayload,
} from '@borealis/protocol/agent';
import { publicKeyFromSpki } from '@borealis/protocol/agent';
import type { AgentLog } from '../runtime/agent-log';
import type { AgentRuntime, TimerHandle } from '../runtime/runtime';
import { createJobJournal, type JobJournal } from './job-journal';
import { INTERPRETERS, startJobProcess, type RunningJob } from './job-process';
import type { OutputCapture } from './output-capture';

export const MAX_RUNNING_JOBS = 4;
export const MAX_QUEUED_JOBS = 32;
export const PROGRESS_WINDOW = 4;
export const LIVE_INTERVAL_MS = 250;
export const RESULT_RETRY_MS = 30_000;
export const RESULT_SOCKET_MAX_BYTES = 512 * 1024;
const NOT_AFTER_GRACE_MS = 60_000;

export interface PinnedSigningKey {
  readonly key_id: string;
  readonly public_key_spki_b64: string;
}

/** How the executor talks to the engine; the daemon backs it with the socket and REST session. */
export interface JobTransport {
  isConnected(): boolean;
  /** Emits with an ack; rejects on timeout or an `{ok:false}` ack (message carries the code). */
  emit(event: string, payload: unknown, timeoutMs: number): Promise<unknown>;
  /** POST /api/agent/jobs/:job_id/result; resolves with the HTTP status. */
  postResult(jobId: string, body: QuickJobResult): Promise<number>;
}

export interface JobExecutorDeps {
  readonly guid: string;
  readonly stateDir: string;
  readonly runtime: AgentRuntime;
  /** Corrected time (ms), for not_after. */
  readonly now: () => number;
  readonly log: AgentLog;
  readonly transport: JobTransport;
  readonly signingKeys: () => readonly PinnedSigningKey[];
  /** §6.2 step 3: fetch and pin keys newer than the pinned ones; returns the pinned set after. */
  readonly refreshSigningKeys?: () => Promise<readonly PinnedSigningKey[]>;
}

export interface JobExecutor {
  /** Restart recovery: jobs cut off by a restart become Failed/agent_restarted; prunes the journal. */
  start(): Promise<void>;
  stop(): void;
  handleRun(payload: unknown): Promise<QuickJobRunAck>;
  handleCancel(payload: unknown): { ok: true; state: 'cancelling' | 'not_found' | 'finished' } | { ok: false; error: { code: string; message: string } };
  /** Called after each socket registration: re-send unacked results first thing. */
  onConnected(): void;
  runningJobIds(): string[];
  interpreters(): string[];
  /** Resolves when the job's result is acked (tests and shutdown). */
  settled(jobId: string): Promise<void>;
}

interface LiveState {
  seq: number;
  inflight: number;
  timer: TimerHandle | undefined;
  lastSent: number;
  readonly streams: Map<'stdout' | 'stderr', OutputCapture>;
}

export function availableInterpreters(): string[] {
  return Object.entries(INTERPRETERS)
    .filter(([, i]) => existsSync(i.command))
    .map(([name]) => name);
}

/**
 * SIGKILLs the process group of a job cut off by a restart, but only when its leader still runs
 * this job's script (a reused pid belongs to someone else).
 */
function killLeftovers(pid: number, jobDir: string): void {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes(jobDir)) return;
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

export function createJobExecutor(deps: JobExecutorDeps): JobExecutor {
  const { runtime, log, transport } = deps;
  const journal: JobJournal = createJobJournal(deps.stateDir);
  const jobsDir = join(deps.stateDir, 'jobs');
  const interpreters = availableInterpreters();
  const running = new Map<string, RunningJob>();
  const queue: Array<{ payload: QuickJobRunPayload; acceptedAt: string }> = [];
  /** Results not yet acked by the engine. */
  const unacked = new Map<string, QuickJobResult>();
  const sending = new Set<string>();
  const waiters = new Map<string, Array<() => void>>();
  let retryTimer: TimerHandle | undefined;
  let stopped = false;
  /** Slots taken synchronously at acceptance, so a burst cannot start more than 4 at once. */
  let active = 0;
  /** Job ids accepted in this process, checked before the (async) journal read. */
  const accepted = new Set<string>();

  const refuse = (error_code: Extract<QuickJobRunAck, { accepted: false }>['error_code']): QuickJobRunAck => ({ accepted: false, error_code });

  function keyFor(keys: readonly PinnedSigningKey[], keyId: string) {
    const pinned = keys.find((k) => k.key_id === keyId);
    return pinned ? publicKeyFromSpki(Buffer.from(pinned.public_key_spki_b64, 'base64')) : undefined;
  }

  async function accept(raw: unknown): Promise<QuickJobRunAck> {
    // 1. schema
    const parsed = QuickJobRunPayloadSchema.safeParse(raw);
    if (!parsed.success) return refuse('invalid_payload');
    const p = parsed.data;
    // 2. own device
    if (p.device_guid.toUpperCase() !== deps.guid.toUpperCase()) return refuse('device_mismatch');
    // 3. pinned key, refreshing the pins once when unknown
    let key = keyFor(deps.signingKeys(), p.signing_key_id);
    if (!key && deps.refreshSigningKeys) {
      try {
        key = keyFor(await deps.refreshSigningKeys(), p.signing_key_id);
      } catch (err) {
        log.warn('signing key refresh failed', { error: (err as Error).message });
      }
    }
    if (!key) return refuse('signature_invalid');
    // 4. signature over the signed fields
    if (!verifyJobSignature(key, p, p.signature)) return refuse('signature_invalid');
    // 5. expiry, on corrected time
    if (deps.now() > Date.parse(p.not_after) + NOT_AFTER_GRACE_MS) return refuse('payload_expired');
    // 6. script hash
    const script = Buffer.from(p.script_content, 'base64');
    if (createHash('sha256').update(script).digest('hex') !== p.script_sha256) return refuse('hash_mismatch');
    // 7. interpreter and run mode
    if (!interpreters.includes(p.script_type)) return refuse('interpreter_not_found');
    if (p.run_mode !== 'system') return refuse('unsupported_run_mode');
    // 8. duplicate
    const known = await journal.get(p.job_id);
    if (known || accepted.has(p.job_id)) {
      // Finished: send the stored result again (acked or not, the engine asked, so it lacks it).
      if (known?.state === 'finished' && known.result) {
        unacked.set(p.job_id, known.result);
        void sendResult(p.job_id);
      }
      return { accepted: true, duplicate: true };
    }
    // 9. capacity
    if (active >= MAX_RUNNING_JOBS && queue.length >= MAX_QUEUED_JOBS) return refuse('agent_busy');

    accepted.add(p.job_id);
    const acceptedAt = new Date(deps.now()).toISOString();
    const runNow = active < MAX_RUNNING_JOBS;
    if (runNow) active++;
    await journal.put({ job_id: p.job_id, accepted_at: acceptedAt, state: 'accepted' });
    if (runNow) {
      queueMicrotask(() => void launch(p, acceptedAt));
    } else {
      queue.push({ payload: p, acceptedAt });
      emitPhase({ job_id: p.job_id, phase: 'queued_on_agent' });
    }
    return { accepted: true };
  }

  function emitPhase(payload: { job_id: string; phase: 'queued_on_agent' | 'executing'; pid?: number; started_at?: string }): void {
    if (!transport.isConnected()) return;
    transport.emit('quick_job_progress', payload, 10_000).catch(() => undefined);
  }

  async function launch(p: QuickJobRunPayload, acceptedAt: string): Promise<void> {
    if (stopped) return;
    const live: LiveState = { seq: 0, inflight: 0, timer: undefined, lastSent: 0, streams: new Map() };
    await journal.put({ job_id: p.job_id, accepted_at: acceptedAt, state: 'started' });
    const job = await startJobProcess(
      {
        job_id: p.job_id,
        script_type: p.script_type,
        script: Buffer.from(p.script_content, 'base64'),
        environment: p.environment,
        timeout_seconds: p.timeout_seconds,
        warning_exit_codes: p.warning_exit_codes,
        output_max_bytes: p.output_max_bytes,
        accepted_at: acceptedAt,
      },
      jobsDir,
      runtime,
      {
        onStarted: (pid, startedAt) => {
          emitPhase({ job_id: p.job_id, phase: 'executing', pid, started_at: startedAt });
          if (pid !== undefined) void journal.put({ job_id: p.job_id, accepted_at: acceptedAt, state: 'started', pid }).catch(() => undefined);
        },
        onOutput: (stream, capture) => {
          live.streams.set(stream, capture);
          scheduleLive(p.job_id, live);
        },
      },
    );
    running.set(p.job_id, job);
    const result = await job.done;
    live.timer?.cancel();
    flushLive(p.job_id, live); // the last live bytes, within the window
    running.delete(p.job_id);
    active--;
    try {
      await journal.put({ job_id: p.job_id, accepted_at: acceptedAt, state: 'finished', result, result_acked: false });
    } catch (err) {
      // A full or broken disk must not swallow the result: send it anyway.
      log.error('job journal write failed', { job_id: p.job_id, error: (err as Error).message });
    }
    unacked.set(p.job_id, result);
    void sendResult(p.job_id);
    const next = queue.shift();
    if (next) {
      active++;
      void launch(next.payload, next.acceptedAt);
    }
  }

  function scheduleLive(jobId: string, live: LiveState): void {
    if (live.timer) return;
    const wait = Math.max(0, live.lastSent + LIVE_INTERVAL_MS - runtime.now());
    live.timer = runtime.after(wait, () => {
      live.timer = undefined;
      flushLive(jobId, live);
      if ([...live.streams.values()].some((s) => s.hasLive())) scheduleLive(jobId, live);
    });
  }

  /** Sends one chunk if the window allows; otherwise the text waits and merges into the next one. */
  function flushLive(jobId: string, live: LiveState): void {
    if (!transport.isConnected()) {
      // §5.4: live output is dropped while disconnected; the result carries it all.
      for (const s of live.streams.values()) while (s.takeLive() !== '');
      return;
    }
    if (live.inflight >= PROGRESS_WINDOW) return;
    for (const [stream, capture] of live.streams) {
      const chunk = capture.takeLive();
      if (chunk === '') continue;
      const seq = live.seq++;
      live.inflight++;
      live.lastSent = runtime.now();
      transport
        .emit('quick_job_progress', { job_id: jobId, seq, stream, chunk, phase: 'executing' }, 10_000)
        .catch(() => undefined)
        .finally(() => live.inflight--);
      return; // one chunk per tick: ≤4 chunks/s
    }
  }

  async function sendResult(jobId: string): Promise<void> {
    const result = unacked.get(jobId);
    if (!result || sending.has(jobId)) return;
    sending.add(jobId);
    try {
      let acked = false;
      if (Buffer.byteLength(JSON.stringify(result)) > RESULT_SOCKET_MAX_BYTES) {
        const status = await transport.postResult(jobId, result);
        acked = status === 200 || status === 404; // 404 unknown_job: the engine will never take it
      } else if (transport.isConnected()) {
        try {
          await transport.emit('quick_job_result', result, 30_000);
          acked = true;
        } catch (err) {
          acked = (err as Error).message.includes('unknown_job');
        }
      }
      if (acked) await markAcked(jobId);
    } catch (err) {
      log.warn('job result not delivered; retrying', { job_id: jobId, error: (err as Error).message });
    } finally {
      sending.delete(jobId);
    }
  }

  async function markAcked(jobId: string): Promise<void> {
    const result = unacked.get(jobId);
    unacked.delete(jobId);
    const entry = await journal.get(jobId);
    if (entry && result) await journal.put({ ...entry, state: 'finished', result, result_acked: true });
    await rm(join(jobsDir, jobId), { recursive: true, force: true });
    for (const resolve of waiters.get(jobId) ?? []) resolve();
    waiters.delete(jobId);
  }

  let lastPrune = 0;
  function retryLoop(): void {
    retryTimer = runtime.after(RESULT_RETRY_MS, () => {
      if (stopped) return;
      for (const jobId of unacked.keys()) void sendResult(jobId);
      // The journal keeps 7 days; prune hourly on a long-running agent, not only at start.
      if (runtime.now() - lastPrune > 3_600_000) {
        lastPrune = runtime.now();
        journal.prune(deps.now()).catch((err: unknown) => log.warn('journal prune failed', { error: (err as Error).message }));
      }
      retryLoop();
    });
  }

  return {
    async start() {
      stopped = false;
      await journal.prune(deps.now());
      for (const entry of await journal.list()) {
        if (entry.state === 'finished' && entry.result && !entry.result_acked) unacked.set(entry.job_id, entry.result);
        if (entry.state === 'accepted' || entry.state === 'started') {
          // Cut off by a restart (§6.4): never run it again, stop what is left of it, report it failed.
          if (entry.pid !== undefined) killLeftovers(entry.pid, join(jobsDir, entry.job_id));
          const finishedAt = new Date(deps.now()).toISOString();
          const result: QuickJobResult = {
            job_id: entry.job_id,
            status: 'Failed',
            exit_code: null,
            signal: null,
            error_code: 'agent_restarted',
            error: 'the agent restarted while the job was queued or running',
            stdout: '',
            stderr: '',
            stdout_truncated: false,
            stderr_truncated: false,
            stdout_total_bytes: 0,
            stderr_total_bytes: 0,
            accepted_at: entry.accepted_at,
            started_at: null,
            finished_at: finishedAt,
            duration_ms: 0,
          };
          await journal.put({ ...entry, state: 'finished', result, result_acked: false });
          unacked.set(entry.job_id, result);
        }
      }
      retryLoop();
    },
    stop() {
      stopped = true;
      retryTimer?.cancel();
    },
    handleRun: accept,
    handleCancel(raw) {
      const parsed = QuickJobCancelSchema.safeParse(raw);
      if (!parsed.success) return { ok: false, error: { code: 'invalid_payload', message: 'invalid cancel' } };
      const { job_id } = parsed.data;
      const job = running.get(job_id);
      if (job) {
        job.cancel();
        return { ok: true, state: 'cancelling' };
      }
      const queued = queue.findIndex((q) => q.payload.job_id === job_id);
      if (queued >= 0) {
        // A queued job is simply dropped, and reported Cancelled.
        const [q] = queue.splice(queued, 1);
        const at = new Date(deps.now()).toISOString();
        const result: QuickJobResult = {
          job_id, status: 'Cancelled', exit_code: null, signal: null, error_code: 'cancelled', stdout: '', stderr: '',
          stdout_truncated: false, stderr_truncated: false, stdout_total_bytes: 0, stderr_total_bytes: 0,
          accepted_at: q!.acceptedAt, started_at: null, finished_at: at, duration_ms: 0,
        };
        void journal.put({ job_id, accepted_at: q!.acceptedAt, state: 'finished', result, result_acked: false }).then(() => {
          unacked.set(job_id, result);
          void sendResult(job_id);
        });
        return { ok: true, state: 'cancelling' };
      }
      return { ok: true, state: unacked.has(job_id) ? 'finished' : 'not_found' };
    },
    onConnected() {
      for (const jobId of unacked.keys()) void sendResult(jobId);
    },
    runningJobIds: () => [...running.keys(), ...queue.map((q) => q.payload.job_id)],
    interpreters: () => [...interpreters],
    settled(jobId) {
      if (!unacked.has(jobId) && !running.has(jobId) && !queue.some((q) => q.payload.job_id === jobId) && !sending.has(jobId)) {
        return journal.get(jobId).then((e) => (e?.result_acked ? undefined : new Promise<void>((resolve) => waiters.set(jobId, [...(waiters.get(jobId) ?? []), resolve]))));
      }
      return new Promise<void>((resolve) => waiters.set(jobId, [...(waiters.get(jobId) ?? []), resolve]));
    },
  };
}
