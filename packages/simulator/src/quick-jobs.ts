// quick_job_run on a virtual agent (agent-protocol §6): the real acceptance checks in order
// (schema, own device, pinned key, signature, expiry, script hash, interpreter, journal, capacity),
// journal de-duplication, progress and a result re-sent until acked; execution itself is faked by a
// configurable delay, output and exit code (§11 "may be faked").

import { createHash, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { decodeB64, labelledDocumentInput, SIGNATURE_LABELS } from '@borealis/protocol/agent';

export const QuickJobRunSchema = z.object({
  job_id: z.string().min(1).max(128),
  device_guid: z.string().min(1),
  quick_job_id: z.string().min(1).max(128).optional(),
  script_type: z.enum(['bash', 'sh', 'python', 'powershell']),
  script_name: z.string().max(512).optional(),
  script_content: z.string(),
  script_encoding: z.literal('base64'),
  script_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  files: z.array(z.object({ file_name: z.string(), sha256: z.string(), size: z.number().optional(), url: z.string().optional() })).default([]),
  environment: z.record(z.string(), z.string()).default({}),
  run_mode: z.enum(['system', 'current_user']),
  timeout_seconds: z.number().int().positive(),
  warning_exit_codes: z.array(z.number().int()).default([]),
  output_max_bytes: z.number().int().positive().optional(),
  issued_at: z.string(),
  not_after: z.string(),
  signing_key_id: z.string(),
  sig_alg: z.literal('ed25519'),
  signature: z.string(),
  context: z.record(z.string(), z.unknown()).optional(),
});
export type QuickJobRun = z.infer<typeof QuickJobRunSchema>;

export interface JobBehaviour {
  /** Fake run time of every job. */
  readonly delayMs: number;
  readonly stdout: string;
  readonly exitCode: number;
}

export const DEFAULT_JOB_BEHAVIOUR: JobBehaviour = { delayMs: 500, stdout: 'hello from the simulator\n', exitCode: 0 };

export const MAX_RUNNING = 4;
export const MAX_QUEUED = 32;
const NOT_AFTER_SLACK_MS = 60_000;
const INTERPRETERS = new Set(['bash', 'sh']);

export type JobAck = { accepted: true; duplicate?: true } | { accepted: false; error_code: string };

export interface JobResult {
  job_id: string;
  status: 'Success' | 'Warning' | 'Failed' | 'Cancelled' | 'Timed Out';
  exit_code: number | null;
  signal: string | null;
  error_code?: string;
  stdout: string;
  stderr: string;
  stdout_truncated: boolean;
  stderr_truncated: boolean;
  stdout_total_bytes: number;
  stderr_total_bytes: number;
  accepted_at: string;
  started_at: string | null;
  finished_at: string;
  duration_ms: number;
}

interface JournalEntry {
  acceptedAt: number;
  timer: NodeJS.Timeout | null;
  result: JobResult | null;
  acked: boolean;
}

export interface JobRunnerDeps {
  readonly deviceGuid: () => string;
  /** Pinned signing keys by key id (enrolment pins the first, §6.2 step 3). */
  readonly signingKeys: () => ReadonlyMap<string, KeyObject>;
  readonly now: () => number;
  readonly behaviour: JobBehaviour;
  /** Emits an event on the live socket; resolves with the ack or rejects (no socket, timeout). */
  readonly emit: (event: string, payload: unknown, timeoutMs: number) => Promise<unknown>;
  readonly onAccepted?: (jobId: string) => void;
  readonly onResultAcked?: (jobId: string) => void;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The signed document of automation.md §1.5. */
function signedDocument(job: QuickJobRun) {
  return {
    job_id: job.job_id,
    device_guid: job.device_guid,
    script_type: job.script_type,
    script_sha256: job.script_sha256,
    files: job.files.map((f) => ({ file_name: f.file_name, sha256: f.sha256 })),
    environment: job.environment,
    run_mode: job.run_mode,
    timeout_seconds: job.timeout_seconds,
    issued_at: job.issued_at,
    not_after: job.not_after,
    signing_key_id: job.signing_key_id,
  };
}

export function createJobRunner(deps: JobRunnerDeps) {
  /** The journal (kept for the process lifetime; a real agent keeps 7 days on disk). */
  const journal = new Map<string, JournalEntry>();
  let running = 0;
  const queue: string[] = [];

  const sendResult = async (entry: JournalEntry) => {
    if (!entry.result || entry.acked) return;
    try {
      const ack = (await deps.emit('quick_job_result', entry.result, 30_000)) as { ok?: boolean; error?: { code?: string } } | null;
      // unknown_job is final too: the engine will never take this result.
      if (ack?.ok === true || ack?.error?.code === 'unknown_job') {
        entry.acked = true;
        deps.onResultAcked?.(entry.result.job_id);
      }
    } catch {
      // No socket or no ack: resent after reconnect and every 30 s (§6.6).
    }
  };

  const finish = (jobId: string, entry: JournalEntry, status: JobResult['status'], exitCode: number | null, startedAt: number) => {
    const now = deps.now();
    const stdout = status === 'Cancelled' ? '' : deps.behaviour.stdout;
    entry.result = {
      job_id: jobId,
      status,
      exit_code: exitCode,
      signal: null,
      ...(status === 'Cancelled' ? { error_code: 'cancelled' } : {}),
      stdout,
      stderr: '',
      stdout_truncated: false,
      stderr_truncated: false,
      stdout_total_bytes: Buffer.byteLength(stdout),
      stderr_total_bytes: 0,
      accepted_at: iso(entry.acceptedAt),
      started_at: iso(startedAt),
      finished_at: iso(now),
      duration_ms: now - startedAt,
    };
    entry.timer = null;
    running -= 1;
    void sendResult(entry);
    startNext();
  };

  const start = (jobId: string, job: QuickJobRun) => {
    const entry = journal.get(jobId)!;
    running += 1;
    const startedAt = deps.now();
    void deps.emit('quick_job_progress', { job_id: jobId, phase: 'executing', pid: 10_000 + (running % 1000), started_at: iso(startedAt) }, 10_000).catch(() => undefined);
    entry.timer = setTimeout(() => {
      if (deps.behaviour.stdout) {
        void deps.emit('quick_job_progress', { job_id: jobId, seq: 0, stream: 'stdout', chunk: deps.behaviour.stdout, phase: 'executing' }, 10_000).catch(() => undefined);
      }
      const code = deps.behaviour.exitCode;
      finish(jobId, entry, code === 0 ? 'Success' : job.warning_exit_codes.includes(code) ? 'Warning' : 'Failed', code, startedAt);
    }, deps.behaviour.delayMs);
  };

  const pending = new Map<string, QuickJobRun>();
  const startNext = () => {
    while (running < MAX_RUNNING && queue.length) {
      const id = queue.shift()!;
      const job = pending.get(id);
      pending.delete(id);
      if (job) start(id, job);
    }
  };

  return {
    /** §6.2, in order; the first failure is the answer and nothing is journalled. */
    accept(payload: unknown): JobAck {
      const parsed = QuickJobRunSchema.safeParse(payload);
      if (!parsed.success) return { accepted: false, error_code: 'invalid_payload' };
      const job = parsed.data;
      if (job.device_guid.toUpperCase() !== deps.deviceGuid()) return { accepted: false, error_code: 'device_mismatch' };
      const key = deps.signingKeys().get(job.signing_key_id);
      if (!key) return { accepted: false, error_code: 'signature_invalid' };
      const signature = decodeB64(job.signature);
      let valid: boolean;
      try {
        valid = signature !== undefined && verify(null, labelledDocumentInput(SIGNATURE_LABELS.job, signedDocument(job)), key, signature);
      } catch {
        valid = false; // a document outside the signable value set cannot carry a valid signature
      }
      if (!valid) return { accepted: false, error_code: 'signature_invalid' };
      if (deps.now() > Date.parse(job.not_after) + NOT_AFTER_SLACK_MS) return { accepted: false, error_code: 'payload_expired' };
      const script = decodeB64(job.script_content);
      if (!script || createHash('sha256').update(script).digest('hex') !== job.script_sha256) return { accepted: false, error_code: 'hash_mismatch' };
      if (!INTERPRETERS.has(job.script_type)) return { accepted: false, error_code: 'interpreter_not_found' };
      if (job.run_mode !== 'system') return { accepted: false, error_code: 'unsupported_run_mode' };
      const known = journal.get(job.job_id);
      if (known) {
        if (known.result) {
          known.acked = false;
          void sendResult(known);
        }
        return { accepted: true, duplicate: true };
      }
      if (running >= MAX_RUNNING && queue.length >= MAX_QUEUED) return { accepted: false, error_code: 'agent_busy' };
      journal.set(job.job_id, { acceptedAt: deps.now(), timer: null, result: null, acked: false });
      deps.onAccepted?.(job.job_id);
      pending.set(job.job_id, job);
      queue.push(job.job_id);
      if (running >= MAX_RUNNING) void deps.emit('quick_job_progress', { job_id: job.job_id, phase: 'queued_on_agent' }, 10_000).catch(() => undefined);
      // Started on the next turn, so the ack goes out before the first progress event.
      setImmediate(startNext);
      return { accepted: true };
    },

    cancel(payload: unknown): { ok: true; state: 'cancelling' | 'not_found' | 'finished' } {
      const jobId = typeof payload === 'object' && payload !== null && 'job_id' in payload ? String(payload.job_id) : '';
      const entry = journal.get(jobId);
      if (!entry) return { ok: true, state: 'not_found' };
      if (entry.result) return { ok: true, state: 'finished' };
      if (pending.delete(jobId)) {
        const i = queue.indexOf(jobId);
        if (i >= 0) queue.splice(i, 1);
        running += 1; // finish() takes it back off
        finish(jobId, entry, 'Cancelled', null, deps.now());
        return { ok: true, state: 'cancelling' };
      }
      if (entry.timer) clearTimeout(entry.timer);
      finish(jobId, entry, 'Cancelled', null, entry.acceptedAt);
      return { ok: true, state: 'cancelling' };
    },

    /** job_ids running or holding an unacked result (connect_agent `running_jobs`, §4.1 step 7). */
    runningJobs(): string[] {
      return [...journal.entries()].filter(([, e]) => !e.acked).map(([id]) => id).slice(0, 64);
    },

    /** After every reconnect and every 30 s (§6.6). */
    resendUnacked(): void {
      for (const entry of journal.values()) if (entry.result && !entry.acked) void sendResult(entry);
    },

    stop(): void {
      for (const entry of journal.values()) if (entry.timer) clearTimeout(entry.timer);
    },
  };
}

export type JobRunner = ReturnType<typeof createJobRunner>;
