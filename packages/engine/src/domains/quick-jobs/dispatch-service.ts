// POST /api/scripts/quick_run (automation.md §2.1): validate, resolve the revision, variables and
// targets, then one transaction (idempotency key, quick_jobs row, executions in chunks of 1,000);
// delivery to connected devices starts after the commit.

import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Kysely } from 'kysely';
import { LEGACY_QUICK_RUN_FIELDS, type QuickJobCounts, type QuickRunRequest, type QuickRunResponse } from '@borealis/protocol';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { loadSiteScope, type ScopeUser } from '../../db/site-scope';
import { AppError } from '../../errors';
import type { Actor, AuditLog } from '../audit/audit-log';
import type { QuickJobAssemblies } from './assembly-port';
import { finalScriptBytes, scriptTypeOf } from './delivery';
import { idempotency, requestHashOf, type IdempotencyScope } from './idempotency';
import type { ChangedExecution } from './quick-job-repository';
import { emptyCounts, quickJobRepository as repo } from './quick-job-repository';
import { resolveTargets, type FilterEvaluator } from './target-resolver';

export const QUICK_RUN_ROUTE = 'POST /api/scripts/quick_run';
export const MAX_RESULTS_IN_RESPONSE = 1_000;

export interface DispatchDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly assemblies: QuickJobAssemblies;
  readonly evaluateFilter?: FilterEvaluator;
  /** After commit: the new executions, for events and delivery. */
  readonly onCreated: (rows: readonly ChangedExecution[]) => void;
}

export interface DispatchOutcome {
  readonly statusCode: 200 | 202;
  readonly replayed: boolean;
  readonly body: QuickRunResponse;
}

export function createDispatchService(deps: DispatchDeps) {
  return {
    async quickRun(user: ScopeUser & { username: string }, body: QuickRunRequest, actor: Actor, idempotencyKey: string | undefined): Promise<DispatchOutcome> {
      const legacy = LEGACY_QUICK_RUN_FIELDS.filter((f) => body[f] !== undefined);
      if (legacy.length) throw new AppError('legacy_field_unsupported', `Upstream fields are not accepted: ${legacy.join(', ')}; name an assembly instead`, legacy.map((f) => ({ path: f, message: 'unsupported' })));
      if (body.run_mode !== 'system') {
        if (body.run_mode === 'current_user' || body.run_mode === 'currentuser') throw new AppError('unsupported_run_mode', 'run_mode current_user is not available yet');
        throw new AppError('validation_failed', 'run_mode must be system', [{ path: 'run_mode', message: 'must be system' }]);
      }
      const now = deps.clock.now();
      const scope: IdempotencyScope | undefined = idempotencyKey
        ? { userId: user.user_id, route: QUICK_RUN_ROUTE, key: idempotencyKey, requestHash: requestHashOf(body) }
        : undefined;
      if (scope) {
        const replay = await idempotency.lookup(deps.db, scope, now);
        if (replay) return { statusCode: 200, replayed: true, body: replay.response as QuickRunResponse };
      }

      const assembly = await deps.assemblies.resolve(body.assembly_guid, body.assembly_revision);
      scriptTypeOf(assembly);
      const timeoutSeconds = body.timeout_seconds ?? assembly.timeout_seconds;
      const quickJobId = uuidv7();
      // Variables are checked once up front (errors create nothing); each delivery resolves them again per target.
      assembly.environmentFor(body.variable_values, { JOB_ID: quickJobId, DEVICE_GUID: '', HOSTNAME: '', SITE_ID: '', ASSEMBLY_GUID: assembly.assembly_guid, ASSEMBLY_REVISION: assembly.revision });
      // Locked engine: 423 engine_locked before anything is written.
      await deps.assemblies.signingKey();

      const siteScope = await loadSiteScope(deps.db, user);
      const targets = { ...body.targets, hostnames: [...(body.targets?.hostnames ?? []), ...(body.hostnames ?? [])] };
      const resolved = await resolveTargets(deps.db, { targets, siteIds: siteScope.siteIdsWith('job_run'), platforms: assembly.platforms }, deps.evaluateFilter);

      const expiresAt = new Date(now.getTime() + body.expires_in_seconds * 1000);
      const contentHash = Buffer.from(assembly.content_hash, 'hex');
      const scriptSha = createHash('sha256').update(finalScriptBytes(assembly)).digest();
      const executions = resolved.map((t) => ({
        id: uuidv7(),
        quick_job_id: quickJobId,
        activity_kind: 'quick_job' as const,
        device_guid: t.device.guid,
        hostname: t.device.hostname,
        site_id: t.device.site_id,
        assembly_guid: assembly.assembly_guid,
        assembly_revision: assembly.revision,
        script_sha256: scriptSha,
        script_name: assembly.display_name,
        status: t.skipReason ? ('Skipped' as const) : ('Pending' as const),
        phase: t.skipReason ? null : 'waiting_for_device',
        skip_reason: t.skipReason,
        error_code: null,
        error: null,
        exit_code: null,
        signal: null,
        stdout: null,
        stderr: null,
        expires_at: expiresAt,
        finished_at: t.skipReason ? now : null,
        created_at: now,
        updated_at: now,
      }));
      const counts: QuickJobCounts = emptyCounts();
      for (const e of executions) {
        if (e.status === 'Skipped') counts.skipped += 1;
        else counts.pending += 1;
      }
      counts.total = executions.length;
      const response: QuickRunResponse = {
        quick_job_id: quickJobId,
        expires_at: expiresAt.toISOString(),
        target_count: executions.length,
        counts,
        results: executions.slice(0, MAX_RESULTS_IN_RESPONSE).map((e) => ({ hostname: e.hostname, device_guid: e.device_guid.toUpperCase(), job_id: e.id, status: e.status, phase: e.phase })),
      };
      const siteIds = [...new Set(executions.map((e) => e.site_id).filter((s): s is number => s !== null))].sort((a, b) => a - b);

      const replay = await deps.db.transaction().execute(async (trx) => {
        if (scope) {
          const earlier = await idempotency.claim(trx, scope, now);
          if (earlier) return earlier;
        }
        await repo.insertJob(trx, {
          id: quickJobId,
          source: 'operator',
          created_by_user_id: user.user_id,
          created_by_name: user.username,
          assembly_guid: assembly.assembly_guid,
          assembly_revision: assembly.revision,
          content_hash: contentHash,
          script_name: assembly.display_name,
          run_mode: body.run_mode,
          timeout_seconds: timeoutSeconds,
          expires_at: expiresAt,
          variable_values: JSON.stringify(body.variable_values),
          target_selector: JSON.stringify(targets),
          target_count: executions.length,
          site_ids: siteIds,
          counts: JSON.stringify(counts),
          created_at: now,
          finished_at: counts.pending === 0 ? now : null,
        });
        await repo.insertExecutions(trx, executions);
        if (scope) await idempotency.store(trx, scope, 202, response, quickJobId);
        await deps.audit.record(trx, actor, {
          action: 'quick_job.dispatched',
          targetType: 'quick_job',
          targetId: quickJobId,
          details: { assembly_guid: assembly.assembly_guid, assembly_revision: assembly.revision, target_count: executions.length, skipped: counts.skipped },
        });
        return undefined;
      });
      if (replay) return { statusCode: 200, replayed: true, body: replay.response as QuickRunResponse };
      deps.onCreated(
        executions.map((e) => ({ id: e.id, quick_job_id: quickJobId, device_guid: e.device_guid, hostname: e.hostname, status: e.status, phase: e.phase, exit_code: null, error_code: null, finished_at: e.finished_at })),
      );
      return { statusCode: 202, replayed: false, body: response };
    },
  };
}
