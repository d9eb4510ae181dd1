// Scheduled jobs (automation.md §3.1-§3.4): create / merge-update with If-Match / toggle / delete in
// the creator's site scope, schedule validation and preview, and the rerun (Idempotency-Key) and
// occurrence-cancel actions. Reads of history live in history-service.ts.

import { createHash } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { CreateScheduledJobRequest, Schedule, ScheduledJob, ScheduledJobTargetInput, UpdateScheduledJobRequest } from '@borealis/protocol';
import type { Clock } from '../../clock';
import type { Database, ScheduledJobsTable } from '../../db/schema';
import { loadSiteScope, type ScopeUser } from '../../db/site-scope';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../../errors';
import { compileSchedule, firstOccurrenceAtOrAfter, previewOf } from '../../scheduler/schedule';
import type { DbExecutor } from '../audit/audit-log';
import type { AssemblySource } from './assembly-source';
import type { ScheduledJobEvents } from './events';
import { rollupOccurrence } from './run-progress';
import { createOccurrence } from './schedule-pass';
import { normaliseTargets } from './targets';

export interface ScheduledJobServiceDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly assemblies: AssemblySource;
  readonly defaultTimeZone: string;
  readonly events: ScheduledJobEvents;
}

const IDEMPOTENCY_HOURS = 24;

function toJob(row: Selectable<ScheduledJobsTable>, last?: { id: string; scheduled_for: Date; status: string; counts_json: unknown } | null): ScheduledJob {
  return {
    id: row.id,
    name: row.name,
    job_kind: row.job_kind,
    components: row.components as Record<string, unknown>[],
    targets: row.targets as Record<string, unknown>[],
    schedule: row.schedule as Record<string, unknown>,
    expiration: row.expiration,
    execution_context: row.execution_context,
    credential_id: row.credential_id,
    use_service_account: row.use_service_account,
    missed_run_policy: row.missed_run_policy,
    stop_on_failure: row.stop_on_failure,
    enabled: row.enabled,
    disabled_reason: row.disabled_reason,
    state: row.state,
    next_occurrence_at: row.next_occurrence_at?.toISOString() ?? null,
    allowed_site_ids: row.allowed_site_ids,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    last_occurrence: last ? { id: last.id, scheduled_for: last.scheduled_for.toISOString(), status: last.status, counts: last.counts_json as Record<string, number> } : null,
  };
}

export function createScheduledJobService(deps: ScheduledJobServiceDeps) {
  const { db, clock } = deps;

  /** The job when the user's scope covers it (admins: all; others: jobs made within their sites). */
  async function visibleJob(executor: DbExecutor, user: ScopeUser, id: number, lock = false) {
    let q = executor.selectFrom('scheduled_jobs').selectAll().where('id', '=', id);
    if (lock) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw new NotFoundError('Scheduled job not found');
    const scope = await loadSiteScope(executor, user);
    if (scope.siteIds !== null && (row.allowed_site_ids.length === 0 || !row.allowed_site_ids.every((s) => scope.siteIds!.includes(s)))) {
      throw new NotFoundError('Scheduled job not found');
    }
    return row;
  }

  function validateSchedule(schedule: Schedule) {
    return compileSchedule(schedule, deps.defaultTimeZone);
  }

  /** First occurrence for a new or re-enabled job: `once` in the past runs at the next pass. */
  function nextFor(schedule: Schedule, now: Date): Date | null {
    const compiled = validateSchedule(schedule);
    if (compiled.type === 'once') return compiled.start;
    return firstOccurrenceAtOrAfter(compiled, now, now);
  }

  async function checkComponents(executor: DbExecutor, components: CreateScheduledJobRequest['components'], context: string): Promise<void> {
    const details: Array<{ path: string; message: string }> = [];
    const kinds = new Set(components.map((c) => c.kind));
    if (kinds.size > 1 && kinds.has('script') && kinds.has('ansible')) details.push({ path: 'components', message: 'scripts and Ansible cannot be mixed' });
    if (components.filter((c) => c.kind === 'workflow').length > 1) details.push({ path: 'components', message: 'at most one workflow component' });
    components.forEach((c, i) => {
      if (c.kind !== 'script') details.push({ path: `components.${i}.kind`, message: `${c.kind} components are not available yet` });
    });
    if (context !== 'system') details.push({ path: 'execution_context', message: 'scripts run as system' });
    for (const [i, c] of components.entries()) {
      if (c.kind === 'script' && !(await deps.assemblies.resolve(executor, c.assembly_guid, c.assembly_revision))) {
        details.push({ path: `components.${i}.assembly_guid`, message: 'no such assembly (or revision)' });
      }
    }
    if (details.length) throw new AppError('validation_failed', 'The job is not valid', details);
  }

  async function targetsFor(executor: DbExecutor, user: ScopeUser, targets: readonly ScheduledJobTargetInput[]) {
    if (targets.length === 0) throw new AppError('validation_failed', 'The job needs at least one target', [{ path: 'targets', message: 'at least one target is required' }]);
    const scope = await loadSiteScope(executor, user);
    return normaliseTargets(executor, targets, scope.siteIds);
  }

  function storedComponents(components: CreateScheduledJobRequest['components']) {
    return components.map((c) => ({ kind: c.kind, assembly_guid: c.assembly_guid.toLowerCase(), assembly_revision: c.assembly_revision ?? null, variable_values: c.variable_values, timeout_seconds: c.timeout_seconds ?? null }));
  }

  return {
    async list(user: ScopeUser): Promise<ScheduledJob[]> {
      const scope = await loadSiteScope(db, user);
      let q = db.selectFrom('scheduled_jobs').selectAll().orderBy('name').orderBy('id');
      if (scope.siteIds !== null) {
        const ids = scope.siteIds.length ? [...scope.siteIds] : [-1];
        q = q.where(sql<boolean>`cardinality(allowed_site_ids) > 0 AND allowed_site_ids <@ ${sql.val(ids)}::int[]`);
      }
      const rows = await q.execute();
      const last = rows.length
        ? await db
            .selectFrom('scheduled_job_occurrences')
            .select(['id', 'job_id', 'scheduled_for', 'status', 'counts_json'])
            .distinctOn('job_id')
            .where('job_id', 'in', rows.map((r) => r.id))
            .orderBy('job_id')
            .orderBy('scheduled_for', 'desc')
            .orderBy('id', 'desc')
            .execute()
        : [];
      const byJob = new Map(last.map((o) => [o.job_id, o]));
      return rows.map((r) => toJob(r, byJob.get(r.id) ?? null));
    },

    async get(user: ScopeUser, id: number): Promise<ScheduledJob> {
      return toJob(await visibleJob(db, user, id));
    },

    async create(user: ScopeUser, input: CreateScheduledJobRequest): Promise<ScheduledJob> {
      if (input.job_kind !== 'automation') throw new AppError('validation_failed', 'Only automation jobs are available', [{ path: 'job_kind', message: 'must be automation' }]);
      const now = clock.now();
      const next = nextFor(input.schedule, now);
      const row = await db.transaction().execute(async (trx) => {
        await checkComponents(trx, input.components, input.execution_context);
        const targets = await targetsFor(trx, user, input.targets);
        const scope = await loadSiteScope(trx, user);
        if (scope.siteIds !== null && scope.siteIds.length === 0) throw new ForbiddenError('You have no sites to schedule jobs for');
        return trx
          .insertInto('scheduled_jobs')
          .values({
            name: input.name,
            job_kind: input.job_kind,
            components: JSON.stringify(storedComponents(input.components)),
            targets: JSON.stringify(targets),
            schedule: JSON.stringify(input.schedule),
            expiration: input.expiration,
            execution_context: input.execution_context,
            credential_id: input.credential_id ?? null,
            use_service_account: input.use_service_account,
            missed_run_policy: input.missed_run_policy,
            stop_on_failure: input.stop_on_failure,
            enabled: input.enabled,
            allowed_site_ids: scope.siteIds === null ? [] : [...scope.siteIds],
            next_occurrence_at: next,
            state: next ? 'active' : 'completed',
            created_by_user_id: user.user_id,
            created_at: now,
            updated_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      deps.events.jobChanged({ job_id: row.id, change: 'created' }, row.allowed_site_ids);
      return toJob(row);
    },

    async update(user: ScopeUser, id: number, input: UpdateScheduledJobRequest, ifMatch: number | undefined): Promise<ScheduledJob> {
      const fields = Object.entries(input).filter(([, v]) => v !== undefined);
      if (fields.length === 0) throw new AppError('no_fields_to_update', 'Nothing to update');
      const now = clock.now();
      const row = await db.transaction().execute(async (trx) => {
        const before = await visibleJob(trx, user, id, true);
        if (ifMatch !== undefined && ifMatch !== before.version) throw new ConflictError('The job changed since you loaded it', 'version_conflict');
        const schedule = input.schedule ?? (before.schedule as Schedule);
        const components = input.components ? storedComponents(input.components) : undefined;
        if (input.components || input.execution_context) {
          await checkComponents(trx, input.components ?? (before.components as CreateScheduledJobRequest['components']), input.execution_context ?? before.execution_context);
        }
        const targets = input.targets ? await targetsFor(trx, user, input.targets) : undefined;
        const next = nextFor(schedule, now);
        return trx
          .updateTable('scheduled_jobs')
          .set({
            name: input.name,
            components: components ? JSON.stringify(components) : undefined,
            targets: targets ? JSON.stringify(targets) : undefined,
            schedule: JSON.stringify(schedule),
            expiration: input.expiration,
            execution_context: input.execution_context,
            credential_id: input.credential_id,
            use_service_account: input.use_service_account,
            missed_run_policy: input.missed_run_policy,
            stop_on_failure: input.stop_on_failure,
            enabled: input.enabled,
            disabled_reason: input.enabled ? null : undefined,
            next_occurrence_at: next,
            state: next ? 'active' : 'completed',
            version: before.version + 1,
            updated_at: now,
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      deps.events.jobChanged({ job_id: id, change: 'updated' }, row.allowed_site_ids);
      return toJob(row);
    },

    async toggle(user: ScopeUser, id: number, enabled: boolean | undefined): Promise<ScheduledJob> {
      const now = clock.now();
      const row = await db.transaction().execute(async (trx) => {
        const before = await visibleJob(trx, user, id, true);
        const target = enabled ?? !before.enabled;
        const next = target && !before.enabled ? firstOccurrenceAtOrAfter(validateSchedule(before.schedule as Schedule), now, now) : before.next_occurrence_at;
        return trx
          .updateTable('scheduled_jobs')
          .set({ enabled: target, disabled_reason: null, next_occurrence_at: next, state: next || !target ? before.state : 'completed', version: before.version + 1, updated_at: now })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      deps.events.jobChanged({ job_id: id, change: row.enabled ? 'enabled' : 'disabled' }, row.allowed_site_ids);
      return toJob(row);
    },

    async remove(user: ScopeUser, id: number): Promise<void> {
      const gone = await db.transaction().execute(async (trx) => {
        const before = await visibleJob(trx, user, id, true);
        await trx.deleteFrom('scheduled_jobs').where('id', '=', id).execute();
        return before;
      });
      deps.events.jobChanged({ job_id: id, change: 'deleted' }, gone.allowed_site_ids);
    },

    preview(schedule: Schedule, count: number) {
      const compiled = validateSchedule(schedule);
      return { timezone: compiled.timezone, occurrences: previewOf(compiled, clock.now(), count) };
    },

    /** A manual occurrence now; the same Idempotency-Key replays the first answer for 24 h. */
    async rerun(user: ScopeUser, id: number, idempotencyKey: string | undefined): Promise<{ replayed: boolean; body: { job_id: number; occurrence_id: string; scheduled_for: string } }> {
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const job = await visibleJob(trx, user, id, true);
        const route = `POST /api/scheduled_jobs/${id}/rerun`;
        const hash = createHash('sha256').update(route).digest();
        if (idempotencyKey) {
          await trx
            .insertInto('idempotency_keys')
            .values({ user_id: user.user_id, route, key: idempotencyKey, request_hash: hash, expires_at: new Date(now.getTime() + IDEMPOTENCY_HOURS * 3_600_000) })
            .onConflict((oc) => oc.columns(['user_id', 'route', 'key']).doNothing())
            .execute();
          const existing = await trx.selectFrom('idempotency_keys').select(['request_hash', 'response']).where('user_id', '=', user.user_id).where('route', '=', route).where('key', '=', idempotencyKey).executeTakeFirstOrThrow();
          if (!existing.request_hash.equals(hash)) throw new ConflictError('This Idempotency-Key was used for another request', 'idempotency_key_reused');
          if (existing.response) return { replayed: true, body: existing.response as { job_id: number; occurrence_id: string; scheduled_for: string } };
        }
        if (!job.enabled) throw new ConflictError('The job is disabled', 'job_disabled');
        const occ = await createOccurrence(trx, { jobId: id, scheduledFor: now, trigger: 'manual' }, now);
        const body = { job_id: id, occurrence_id: occ.id, scheduled_for: now.toISOString() };
        if (idempotencyKey) {
          await trx.updateTable('idempotency_keys').set({ response: JSON.stringify(body), status_code: 202, resource_id: occ.id }).where('user_id', '=', user.user_id).where('route', '=', route).where('key', '=', idempotencyKey).execute();
        }
        return { replayed: false, body };
      });
    },

    /** Cancels an occurrence's Pending targets; Running ones are asked to stop. */
    async cancelOccurrence(user: ScopeUser, id: number, occurrenceId: string) {
      const now = clock.now();
      const result = await db.transaction().execute(async (trx) => {
        const job = await visibleJob(trx, user, id);
        const occ = await trx.selectFrom('scheduled_job_occurrences').select(['id', 'status', 'started_at']).where('id', '=', occurrenceId).where('job_id', '=', id).forUpdate().executeTakeFirst();
        if (!occ) throw new NotFoundError('Occurrence not found');
        const runIds = trx.selectFrom('scheduled_job_runs').select('id').where('occurrence_id', '=', occurrenceId);
        const cancelled = await trx
          .updateTable('activity_history')
          .set({ status: 'Cancelled', phase: null, finished_at: now, cancel_requested_at: now, cancel_confirmed: true, updated_at: now })
          .where('run_id', 'in', runIds)
          .where('status', '=', 'Pending')
          .executeTakeFirst();
        const cancelling = await trx
          .updateTable('activity_history')
          .set({ cancel_requested_at: now, updated_at: now })
          .where('run_id', 'in', runIds)
          .where('status', '=', 'Running')
          .where('cancel_requested_at', 'is', null)
          .executeTakeFirst();
        if (occ.status === 'Pending' && occ.started_at === null) {
          // Not materialized yet: it never will be.
          await trx.updateTable('scheduled_job_occurrences').set({ status: 'Cancelled', finished_at: now }).where('id', '=', occurrenceId).execute();
        }
        await trx.updateTable('scheduled_job_runs').set({ status: 'Cancelled', finished_at: now }).where('occurrence_id', '=', occurrenceId).where('status', '=', 'Pending').execute();
        const rollup = await rollupOccurrence(trx, occurrenceId, now);
        if (rollup?.changed) deps.events.occurrenceChanged({ job_id: id, occurrence_id: occurrenceId, status: rollup.status, counts: rollup.counts }, job.allowed_site_ids);
        return { occurrence_id: occurrenceId, cancelled: Number(cancelled.numUpdatedRows), cancelling: Number(cancelling.numUpdatedRows) };
      });
      return result;
    },
  };
}

export type ScheduledJobService = ReturnType<typeof createScheduledJobService>;
