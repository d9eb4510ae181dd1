// Result and progress fan-in from agents (data-model.md §4): results are queued and written every
// 250 ms or at 200 in one transaction (first terminal result wins, chunks of finished executions
// deleted), then acked after the commit; live output is relayed at once and stored ≤1/s.

import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { QuickJobProgress, QuickJobResult } from '@borealis/protocol/agent';
import type { QuickJobStatus } from '@borealis/protocol';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import type { QuickJobAssemblies } from './assembly-port';
import type { JobEvents } from './job-events';
import { storedOutput } from './output-cap';
import { quickJobRepository as repo, type ResultWrite } from './quick-job-repository';

export const RESULT_FLUSH_MS = 250;
export const RESULT_BATCH_MAX = 200;
export const CHUNK_FLUSH_MS = 1_000;

export type ResultOutcome = 'ok' | 'unknown_job';

interface QueuedResult {
  readonly deviceGuid: string;
  readonly result: QuickJobResult;
  readonly resolve: (outcome: ResultOutcome) => void;
  readonly reject: (err: unknown) => void;
}

interface ExecutionMeta {
  readonly quickJobId: string | null;
  readonly deviceGuid: string;
  readonly assemblyGuid: string;
  readonly assemblyRevision: number;
}

export interface FanIn {
  result(deviceGuid: string, result: QuickJobResult): Promise<ResultOutcome>;
  progress(deviceGuid: string, progress: QuickJobProgress): Promise<ResultOutcome>;
  /** Delivery claimed these: keep what their progress and results need, so neither reads the row. */
  remember(rows: ReadonlyArray<{ id: string; quick_job_id: string; device_guid: string; assembly_guid: string; assembly_revision: number }>): void;
  /** Writes everything queued now (normally on the timers). */
  flush(): Promise<void>;
  /** Statements of the last flushes, for tests of the batching: transactions written. */
  readonly stats: { transactions: number; results: number };
  start(): void;
  stop(): Promise<void>;
}

export interface FanInDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly events: JobEvents;
  readonly assemblies: QuickJobAssemblies;
  readonly outputMaxBytes: number;
  readonly flushMs?: number;
  readonly batchMax?: number;
}

/** §6.4: the engine recomputes the final status from exit_code (unsigned fields never decide). */
function finalStatus(result: QuickJobResult, warningCodes: readonly number[]): QuickJobStatus {
  if (result.status === 'Timed Out' || result.status === 'Cancelled' || result.exit_code === null || result.signal) return result.status;
  if (result.error_code && result.status === 'Failed') return 'Failed';
  if (result.exit_code === 0) return 'Success';
  return warningCodes.includes(result.exit_code) ? 'Warning' : 'Failed';
}

export function createFanIn(deps: FanInDeps): FanIn {
  const flushMs = deps.flushMs ?? RESULT_FLUSH_MS;
  const batchMax = deps.batchMax ?? RESULT_BATCH_MAX;
  const queue: QueuedResult[] = [];
  let phases = new Map<string, { id: string; device_guid: string; phase: string; started_at: string | null }>();
  let chunks: Array<{ activity_id: string; seq: number; stream: 'stdout' | 'stderr'; chunk: string }> = [];
  const meta = new Map<string, ExecutionMeta>();
  const stats = { transactions: 0, results: 0 };
  let timer: NodeJS.Timeout | undefined;
  let chunkTimer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();

  const metaOf = async (id: string): Promise<ExecutionMeta | undefined> => {
    const hit = meta.get(id);
    if (hit) return hit;
    const row = await deps.db.selectFrom('activity_history').select(['quick_job_id', 'device_guid', 'assembly_guid', 'assembly_revision']).where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const m = { quickJobId: row.quick_job_id, deviceGuid: row.device_guid, assemblyGuid: row.assembly_guid, assemblyRevision: row.assembly_revision };
    remember1(id, m);
    return m;
  };
  const remember1 = (id: string, m: ExecutionMeta) => {
    if (meta.size > 100_000) meta.clear();
    meta.set(id, m);
  };

  const warningCodesOf = async (m: ExecutionMeta | undefined): Promise<readonly number[]> => {
    if (!m) return [];
    try {
      return (await deps.assemblies.resolve(m.assemblyGuid, m.assemblyRevision)).warning_exit_codes;
    } catch {
      return []; // the assembly is gone: history outlives it, exit 0 still reads as Success
    }
  };

  const writeBatch = async () => {
    const batch = queue.splice(0, queue.length);
    const phaseRows = [...phases.values()];
    phases = new Map();
    if (!batch.length && !phaseRows.length) return;
    // Chunks are stored before the phase change they caused is announced: a browser refetching a
    // row it now sees Running must find the output that made it Running.
    if (phaseRows.length) await flushChunks();
    // Deduplicate within the batch: the first terminal result of an execution wins.
    const firstById = new Map<string, QueuedResult>();
    for (const q of batch) if (!firstById.has(q.result.job_id)) firstById.set(q.result.job_id, q);
    const writes: ResultWrite[] = [];
    for (const q of firstById.values()) {
      const m = await metaOf(q.result.job_id);
      if (!m || m.deviceGuid !== q.deviceGuid) continue;
      const r = q.result;
      const stdout = storedOutput(r.stdout, r.stdout_truncated, r.stdout_total_bytes, deps.outputMaxBytes);
      const stderr = storedOutput(r.stderr, r.stderr_truncated, r.stderr_total_bytes, deps.outputMaxBytes);
      writes.push({
        id: r.job_id,
        device_guid: q.deviceGuid,
        status: finalStatus(r, await warningCodesOf(m)),
        exit_code: r.exit_code,
        signal: r.signal,
        error_code: r.error_code ?? (r.status === 'Timed Out' ? 'timeout' : null),
        error: r.error?.slice(0, 2000) ?? null,
        stdout: stdout.text,
        stderr: stderr.text,
        stdout_truncated: stdout.truncated,
        stderr_truncated: stderr.truncated,
        stdout_total_bytes: stdout.totalBytes,
        stderr_total_bytes: stderr.totalBytes,
        accepted_at: r.accepted_at,
        started_at: r.started_at,
        finished_at: r.finished_at,
        duration_ms: r.duration_ms,
      });
    }
    const now = deps.clock.now();
    let known = new Set<string>();
    let changed: Awaited<ReturnType<typeof repo.applyResults>> = [];
    let phased: Awaited<ReturnType<typeof repo.applyPhases>> = [];
    try {
      await deps.db.transaction().execute(async (trx) => {
        phased = await repo.applyPhases(trx, phaseRows, now);
        changed = await repo.applyResults(trx, writes, now);
        await repo.deleteChunks(trx, changed.map((c) => c.id));
        known = await repo.knownIds(trx, batch.map((q) => ({ id: q.result.job_id, device_guid: q.deviceGuid })));
      });
    } catch (err) {
      for (const q of batch) q.reject(err);
      throw err;
    }
    stats.transactions += 1;
    stats.results += changed.length;
    // Acks after the commit; a duplicate (already terminal) is acked and ignored.
    for (const q of batch) q.resolve(known.has(q.result.job_id) ? 'ok' : 'unknown_job');
    const finished = changed.filter((c) => c.status !== 'Running' && c.status !== 'Pending');
    for (const c of finished) meta.delete(c.id);
    // A phase change of a row whose result landed in the same batch is not worth announcing.
    const finishedIds = new Set(finished.map((c) => c.id));
    deps.events.targetsChanged(phased.filter((p) => !finishedIds.has(p.id)), 'updated');
    deps.events.targetsChanged(changed, 'updated');
  };

  const flush = () => {
    const run = () => writeBatch().catch((err: unknown) => deps.log.warn({ err }, 'quick job result flush failed'));
    chain = chain.then(run, run);
    return chain;
  };

  const flushChunks = async () => {
    const batch = chunks;
    chunks = [];
    if (!batch.length) return;
    try {
      await repo.insertChunks(deps.db, batch, deps.clock.now());
    } catch (err) {
      deps.log.warn({ err }, 'storing live output failed');
    }
  };

  const schedule = () => {
    if (queue.length >= batchMax) void flush();
  };

  return {
    stats,
    remember(rows) {
      for (const r of rows) {
        // Scheduled executions are claimed with quick_job_id '' (no quick job).
        remember1(r.id, { quickJobId: r.quick_job_id || null, deviceGuid: r.device_guid.toLowerCase(), assemblyGuid: r.assembly_guid, assemblyRevision: r.assembly_revision });
      }
    },
    result(deviceGuid, result) {
      return new Promise<ResultOutcome>((resolve, reject) => {
        queue.push({ deviceGuid: deviceGuid.toLowerCase(), result, resolve, reject });
        schedule();
      });
    },
    async progress(deviceGuid, progress) {
      const rowGuid = deviceGuid.toLowerCase();
      const m = await metaOf(progress.job_id);
      if (!m || m.deviceGuid !== rowGuid) return 'unknown_job';
      if ('seq' in progress) {
        if (m.quickJobId) deps.events.output({ quick_job_id: m.quickJobId, job_id: progress.job_id, guid: rowGuid.toUpperCase(), seq: progress.seq, stream: progress.stream, chunk: progress.chunk });
        chunks.push({ activity_id: progress.job_id, seq: progress.seq, stream: progress.stream, chunk: progress.chunk });
        // Output implies the job runs; record it like a phase change.
        if (!phases.has(progress.job_id)) phases.set(progress.job_id, { id: progress.job_id, device_guid: rowGuid, phase: 'executing', started_at: null });
      } else {
        phases.set(progress.job_id, { id: progress.job_id, device_guid: rowGuid, phase: progress.phase, started_at: progress.started_at ?? null });
      }
      return 'ok';
    },
    flush,
    start() {
      timer = setInterval(() => void flush(), flushMs);
      chunkTimer = setInterval(() => void flushChunks(), CHUNK_FLUSH_MS);
      timer.unref();
      chunkTimer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      if (chunkTimer) clearInterval(chunkTimer);
      await flushChunks();
      await flush();
    },
  };
}
