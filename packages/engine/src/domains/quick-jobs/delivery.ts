// Delivery of executions to agents (automation.md §2.1 step 4, §2.3; agent-protocol §5.3, §5.4,
// §6.1): claim a device's ready Pending rows (≤20 in flight), sign each per delivery, emit
// quick_job_run to device:<GUID> with a 15 s ack, and record accepted / refused / silence. Claims
// and accepts of many devices share one statement (db/statement-batcher.ts).

import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import { JOB_SCRIPT_TYPES, QuickJobRunAckSchema, encodeB64, signJob, type QuickJobRunPayload } from '@borealis/protocol/agent';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { AppError } from '../../errors';
import type { JobAssembly, JobSigningKey, QuickJobAssemblies } from './assembly-port';
import type { JobEvents } from './job-events';
import { quickJobRepository as repo, type ChangedExecution, type DeliverableExecution } from './quick-job-repository';
import { createStatementBatcher } from '../../db/statement-batcher';

export const RUN_ACK_MS = 15_000;
export const MAX_IN_FLIGHT = 20;
export const REDELIVER_AFTER_MS = 30_000;
/** Devices per batched claim, executions per batched accept (one statement each). */
export const DELIVERY_BATCH_MAX = 1_000;
const SIGNATURE_MAX_AGE_MS = 24 * 3600_000;

type ScriptType = (typeof JOB_SCRIPT_TYPES)[number];

export function scriptTypeOf(assembly: Pick<JobAssembly, 'assembly_type' | 'assembly_subtype'>): ScriptType {
  const subtype = assembly.assembly_subtype;
  if (assembly.assembly_type !== 'script' || !(JOB_SCRIPT_TYPES as readonly string[]).includes(subtype)) {
    throw new AppError('validation_failed', `Assemblies of kind ${assembly.assembly_type}/${subtype} cannot run as quick jobs`, [{ path: 'assembly_guid', message: 'not a runnable script' }]);
  }
  return subtype as ScriptType;
}

/** The bytes the agent runs (§1.5: LF line endings for Unix interpreters). */
export function finalScriptBytes(assembly: JobAssembly): Buffer {
  return Buffer.from(assembly.script.toString('utf8').replace(/\r\n/g, '\n'), 'utf8');
}

export interface DeliveryDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly agents: Namespace | null;
  readonly assemblies: QuickJobAssemblies;
  readonly events: JobEvents;
  readonly outputMaxBytes: number;
  readonly ackMs?: number;
  /** Told of every claimed execution before it is sent (fan-in keeps what a result needs of it). */
  readonly onClaimed?: (rows: readonly DeliverableExecution[]) => void;
}

export interface Delivery {
  /** Sends a device's ready executions (on connect_agent, redelivery, or right after dispatch). */
  deliver(deviceGuid: string, ids?: readonly string[]): Promise<void>;
  /** Builds the signed payload of one execution (exported for tests). */
  payloadFor(exec: DeliverableExecution, assembly: JobAssembly, key: JobSigningKey): QuickJobRunPayload;
  idle(): Promise<void>;
}

export function createDelivery(deps: DeliveryDeps): Delivery {
  const ackMs = deps.ackMs ?? RUN_ACK_MS;
  /** One delivery loop per device on this node; a request during a loop makes it run once more. */
  const active = new Map<string, { again: boolean; ids: Set<string> | null; done: Promise<void> }>();

  interface ClaimRequest {
    readonly deviceGuid: string;
    readonly ids?: readonly string[];
    readonly now: Date;
  }
  const claims = createStatementBatcher<ClaimRequest, DeliverableExecution[]>(
    async (requests) => {
      const now = requests[0]!.now;
      const rows = await repo.claimForDeliveryMany(deps.db, {
        requests,
        now,
        limit: MAX_IN_FLIGHT,
        redeliverBefore: new Date(now.getTime() - REDELIVER_AFTER_MS),
      });
      deps.onClaimed?.(rows);
      const byDevice = new Map<string, DeliverableExecution[]>();
      for (const row of rows) {
        const list = byDevice.get(row.device_guid) ?? [];
        list.push(row);
        byDevice.set(row.device_guid, list);
      }
      // One loop per device runs at a time, so each device appears once per batch.
      return requests.map((r) => byDevice.get(r.deviceGuid) ?? []);
    },
    { max: DELIVERY_BATCH_MAX },
  );
  const accepts = createStatementBatcher<{ id: string; now: Date }, ChangedExecution | undefined>(
    async (items) => {
      const changed = await repo.markAcceptedMany(deps.db, items.map((i) => i.id), items[0]!.now);
      const byId = new Map(changed.map((c) => [c.id, c]));
      return items.map((i) => byId.get(i.id));
    },
    { max: DELIVERY_BATCH_MAX },
  );

  const payloadFor = (exec: DeliverableExecution, assembly: JobAssembly, key: JobSigningKey): QuickJobRunPayload => {
    const now = deps.clock.now();
    const script = finalScriptBytes(assembly);
    const guid = exec.device_guid.toUpperCase();
    const environment = assembly.environmentFor(exec.variable_values, {
      JOB_ID: exec.id,
      DEVICE_GUID: guid,
      HOSTNAME: exec.hostname,
      SITE_ID: exec.site_id ?? '',
      ASSEMBLY_GUID: exec.assembly_guid,
      ASSEMBLY_REVISION: exec.assembly_revision,
    });
    const issuedAt = now.toISOString();
    const notAfter = new Date(Math.max(now.getTime(), Math.min(new Date(exec.expires_at).getTime(), now.getTime() + SIGNATURE_MAX_AGE_MS))).toISOString();
    const signed = {
      job_id: exec.id,
      device_guid: guid,
      script_type: scriptTypeOf(assembly),
      script_sha256: createHash('sha256').update(script).digest('hex'),
      files: [] as Array<{ file_name: string; sha256: string }>,
      environment,
      run_mode: exec.run_mode as QuickJobRunPayload['run_mode'],
      timeout_seconds: exec.timeout_seconds,
      issued_at: issuedAt,
      not_after: notAfter,
      signing_key_id: key.key_id,
    };
    return {
      ...signed,
      files: [],
      quick_job_id: exec.quick_job_id,
      script_name: exec.script_name.slice(0, 255),
      script_content: encodeB64(script),
      script_encoding: 'base64',
      warning_exit_codes: [...assembly.warning_exit_codes],
      output_max_bytes: deps.outputMaxBytes,
      sig_alg: 'ed25519',
      signature: signJob(key.privateKey, signed),
      context: { assembly_guid: exec.assembly_guid, assembly_revision: exec.assembly_revision, source: exec.source },
    };
  };

  const sendOne = async (exec: DeliverableExecution, key: JobSigningKey): Promise<'accepted' | 'refused' | 'silent'> => {
    let payload: QuickJobRunPayload;
    try {
      const assembly = await deps.assemblies.resolve(exec.assembly_guid, exec.assembly_revision);
      payload = payloadFor(exec, assembly, key);
    } catch (err) {
      // A target this engine cannot build a payload for fails visibly instead of waiting to expire.
      const code = err instanceof AppError ? err.code : 'dispatch_failed';
      deps.log.warn({ err, jobId: exec.id }, 'quick job payload could not be built');
      const row = await repo.markRefused(deps.db, exec.id, code, deps.clock.now());
      if (row) deps.events.targetsChanged([row], 'updated');
      return 'refused';
    }
    if (!deps.agents) return 'silent';
    let answers: unknown[];
    try {
      answers = await deps.agents.to(`device:${exec.device_guid.toUpperCase()}`).timeout(ackMs).emitWithAck('quick_job_run', payload);
    } catch {
      return 'silent';
    }
    const parsed = answers.map((a) => QuickJobRunAckSchema.safeParse(a)).find((p) => p.success);
    if (!parsed?.success) return 'silent';
    const now = deps.clock.now();
    const row = parsed.data.accepted ? await accepts.add({ id: exec.id, now }) : await repo.markRefused(deps.db, exec.id, parsed.data.error_code, now);
    if (row) deps.events.targetsChanged([row], 'updated');
    return parsed.data.accepted ? 'accepted' : 'refused';
  };

  // While locked, every connect and every 10 s sweep asks for each device with Pending rows; one
  // log line per locked stretch says why nothing goes out instead of one error per device.
  let lockedNoted = false;
  const loop = async (rowGuid: string, state: { again: boolean; ids: Set<string> | null }) => {
    if (deps.assemblies.canSign && !deps.assemblies.canSign()) {
      if (!lockedNoted) deps.log.info('quick job delivery waits: no signing key until Aegis is unlocked');
      lockedNoted = true;
      return;
    }
    lockedNoted = false;
    let key: JobSigningKey;
    try {
      key = await deps.assemblies.signingKey();
    } catch (err) {
      // Locked engine: nothing is dispatched until unlock; rows stay Pending (S6).
      deps.log.info({ err: err instanceof AppError ? err.code : err }, 'quick job delivery skipped: no signing key');
      return;
    }
    for (let round = 0; round < 10_000; round += 1) {
      let ids = state.ids ? [...state.ids].sort() : null;
      state.ids = null;
      state.again = false;
      if (ids && ids.length > MAX_IN_FLIGHT) {
        // At most 20 in flight: the rest (ids are uuidv7, so oldest first) wait for the next round.
        state.ids = new Set(ids.slice(MAX_IN_FLIGHT));
        state.again = true;
        ids = ids.slice(0, MAX_IN_FLIGHT);
      }
      const claimed = await claims.add({ deviceGuid: rowGuid, now: deps.clock.now(), ...(ids ? { ids } : {}) });
      if (!claimed.length && !state.again) return;
      const outcomes = await Promise.all(claimed.map((exec) => sendOne(exec, key)));
      const silent = claimed.filter((_, i) => outcomes[i] === 'silent').map((e) => e.id);
      await repo.markUndelivered(deps.db, silent, deps.clock.now());
      // Keep going while the agent answers and more may wait; silence ends the loop until reconnect/30 s.
      if (silent.length && !state.again) return;
      if (claimed.length < MAX_IN_FLIGHT && !state.again) return;
    }
  };

  return {
    payloadFor,
    deliver(deviceGuid, ids) {
      const rowGuid = deviceGuid.toLowerCase();
      const current = active.get(rowGuid);
      if (current) {
        current.again = true;
        if (ids) for (const id of ids) (current.ids ??= new Set()).add(id);
        return current.done;
      }
      const state = { again: false, ids: ids ? new Set(ids) : null, done: Promise.resolve() };
      state.done = loop(rowGuid, state)
        .catch((err: unknown) => deps.log.warn({ err, device: rowGuid }, 'quick job delivery failed; retried by the sweep'))
        .finally(() => active.delete(rowGuid));
      active.set(rowGuid, state);
      return state.done;
    },
    async idle() {
      while (active.size) await Promise.all([...active.values()].map((s) => s.done));
      await claims.idle();
      await accepts.idle();
    },
  };
}
