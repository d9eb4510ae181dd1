// Runs one job script (agent-protocol.md §6.3–§6.4): job dir 0700 with the script (0700) and tmp/,
// an environment built from scratch, stdin /dev/null, a new session and process group (setsid),
// umask 022; timeout and cancel send SIGTERM to the group and SIGKILL 10 s later.
import { spawn } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { QuickJobResult } from '@borealis/protocol/agent';
import type { AgentRuntime, TimerHandle } from '../runtime/runtime';
import { OutputCapture } from './output-capture';

export const KILL_GRACE_MS = 10_000;
export const JOB_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const INTERPRETERS: Readonly<Record<string, { readonly command: string; readonly args: readonly string[] }>> = {
  bash: { command: '/bin/bash', args: ['--noprofile', '--norc'] },
  sh: { command: '/bin/sh', args: [] },
};

export interface JobSpec {
  readonly job_id: string;
  readonly script_type: string;
  readonly script: Buffer;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeout_seconds: number;
  readonly warning_exit_codes: readonly number[];
  readonly output_max_bytes: number;
  readonly accepted_at: string;
}

export interface RunningJob {
  /** Resolves with the final result (never rejects). */
  readonly done: Promise<QuickJobResult>;
  cancel(): void;
}

export interface JobProcessHooks {
  onStarted(pid: number | undefined, startedAt: string): void;
  onOutput(stream: 'stdout' | 'stderr', capture: OutputCapture): void;
}

/** The §6.3 environment: fixed variables, the run-as user's identity, then `environment{}`. */
export function jobEnvironment(jobDir: string, extra: Readonly<Record<string, string>>): Record<string, string> {
  const user = userInfo();
  return {
    PATH: JOB_PATH,
    HOME: user.homedir,
    USER: user.username,
    LOGNAME: user.username,
    SHELL: user.shell ?? '/bin/sh',
    LANG: 'C.UTF-8',
    TMPDIR: join(jobDir, 'tmp'),
    TERM: 'dumb',
    NO_COLOR: '1',
    DEBIAN_FRONTEND: 'noninteractive',
    ...extra,
  };
}

export async function startJobProcess(spec: JobSpec, jobsDir: string, runtime: AgentRuntime, hooks: JobProcessHooks): Promise<RunningJob> {
  const jobDir = join(jobsDir, spec.job_id);
  const interpreter = INTERPRETERS[spec.script_type];
  const out = new OutputCapture(spec.output_max_bytes);
  const err = new OutputCapture(spec.output_max_bytes);
  const started = runtime.now();
  const startedAt = new Date(started).toISOString();
  let reason: 'timeout' | 'cancel' | undefined;
  const finish = (partial: Pick<QuickJobResult, 'status' | 'exit_code' | 'signal'> & { error_code?: string; error?: string }, ranAt: string | null): QuickJobResult => {
    const o = out.finish();
    const e = err.finish();
    const finishedMs = runtime.now();
    return {
      job_id: spec.job_id,
      ...partial,
      stdout: o.text,
      stderr: e.text,
      stdout_truncated: o.truncated,
      stderr_truncated: e.truncated,
      stdout_total_bytes: o.totalBytes,
      stderr_total_bytes: e.totalBytes,
      accepted_at: spec.accepted_at,
      started_at: ranAt,
      finished_at: new Date(finishedMs).toISOString(),
      duration_ms: Math.max(0, Math.round(finishedMs - started)),
    };
  };

  const scriptPath = join(jobDir, spec.script_type === 'sh' ? 'script.sh' : 'script');
  try {
    if (!interpreter) throw new Error(`no interpreter for ${spec.script_type}`);
    await mkdir(join(jobDir, 'tmp'), { recursive: true, mode: 0o700 });
    await chmod(jobDir, 0o700);
    await writeFile(scriptPath, spec.script, { mode: 0o700 });
    await chmod(scriptPath, 0o700);
  } catch (error) {
    const result = finish({ status: 'Failed', exit_code: null, signal: null, error_code: 'spawn_failed', error: (error as Error).message.slice(0, 2000) }, null);
    return { done: Promise.resolve(result), cancel: () => undefined };
  }

  // umask 022 through a tiny sh wrapper: node's spawn cannot set it per child.
  const child = spawn('/bin/sh', ['-c', 'umask 022; exec "$@"', 'borealis-job', interpreter!.command, ...interpreter!.args, scriptPath], {
    cwd: jobDir,
    env: jobEnvironment(jobDir, spec.environment),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // setsid: its own session and process group
  });
  const pid = child.pid;
  const killGroup = (signal: NodeJS.Signals) => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  let killTimer: TimerHandle | undefined;
  const stop = (why: 'timeout' | 'cancel') => {
    if (reason !== undefined) return;
    reason = why;
    killGroup('SIGTERM');
    killTimer = runtime.after(KILL_GRACE_MS, () => killGroup('SIGKILL'));
  };
  const timeoutTimer = runtime.after(spec.timeout_seconds * 1000, () => stop('timeout'));
  child.stdout.on('data', (chunk: Buffer) => {
    out.write(chunk);
    hooks.onOutput('stdout', out);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err.write(chunk);
    hooks.onOutput('stderr', err);
  });

  const done = new Promise<QuickJobResult>((resolve) => {
    let settled = false;
    child.on('error', (error) => {
      if (settled) return;
      settled = true;
      timeoutTimer.cancel();
      resolve(finish({ status: 'Failed', exit_code: null, signal: null, error_code: 'spawn_failed', error: error.message.slice(0, 2000) }, null));
    });
    child.on('exit', (code, signal) => {
      // Stragglers that kept stdout open must not keep the job alive: close the pipes shortly.
      const straggler = runtime.after(2000, () => {
        killGroup('SIGKILL');
        child.stdout.destroy();
        child.stderr.destroy();
      });
      child.on('close', () => {
        straggler.cancel();
        if (settled) return;
        settled = true;
        timeoutTimer.cancel();
        killTimer?.cancel();
        if (reason === 'timeout') return resolve(finish({ status: 'Timed Out', exit_code: code, signal, error_code: 'timeout' }, startedAt));
        if (reason === 'cancel') return resolve(finish({ status: 'Cancelled', exit_code: code, signal, error_code: 'cancelled' }, startedAt));
        if (signal !== null) return resolve(finish({ status: 'Failed', exit_code: null, signal, error_code: 'signal' }, startedAt));
        const exit = code ?? -1;
        const status = exit === 0 ? 'Success' : spec.warning_exit_codes.includes(exit) ? 'Warning' : 'Failed';
        resolve(finish({ status, exit_code: exit, signal: null }, startedAt));
      });
    });
  });
  if (pid !== undefined) hooks.onStarted(pid, startedAt);
  return { done, cancel: () => stop('cancel') };
}
