// occurrence_materialize (automation.md §3.4, §4.3): resolve and freeze an occurrence's targets,
// insert one run per device and one execution per run × component, and enqueue one scheduled_run
// per site, all in one transaction under the work-item lease, so a re-claim never duplicates.

import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { enqueueWorkItem, finishWorkItem, holdsLease, MANAGER_SITE, type Lease } from '../../scheduler/work-items';
import type { AssemblySource, ResolvedAssembly } from './assembly-source';
import { expirationMs, NO_EXPIRY } from './job-model';
import { toJobRow } from './job-rows';
import { rollupOccurrence } from './run-progress';
import { resolveTargets, type FilterResolver } from './targets';

export interface MaterializeDeps {
  readonly db: Kysely<Database>;
  readonly assemblies: AssemblySource;
  readonly resolveFilter: FilterResolver;
}

const CHUNK = 1000;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** Returns false when the lease was lost (nothing written). */
export async function materializeOccurrence(deps: MaterializeDeps, lease: Lease, occurrenceId: string, now: Date): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    if (!(await holdsLease(trx, lease))) return false;
    const occ = await trx.selectFrom('scheduled_job_occurrences').selectAll().where('id', '=', occurrenceId).forUpdate().executeTakeFirst();
    const jobRow = occ ? await trx.selectFrom('scheduled_jobs').selectAll().where('id', '=', occ.job_id).executeTakeFirst() : undefined;
    const hasRuns = occ ? await trx.selectFrom('scheduled_job_runs').select('id').where('occurrence_id', '=', occurrenceId).limit(1).executeTakeFirst() : undefined;
    if (!occ || !jobRow || occ.status !== 'Pending' || hasRuns) {
      await finishWorkItem(trx, lease, 'succeeded', now);
      return true;
    }
    const job = toJobRow(jobRow);
    const devices = await resolveTargets(trx, job.targets, job.allowed_site_ids, deps.resolveFilter);

    const assemblies: Array<ResolvedAssembly | null> = [];
    for (const c of job.components) assemblies.push(await deps.assemblies.resolve(trx, c.assembly_guid, c.assembly_revision));
    const missing = assemblies.findIndex((a) => a === null);

    const active = new Set<string>();
    if (devices.length) {
      const rows = await trx
        .selectFrom('scheduled_job_runs')
        .select('device_guid')
        .where('job_id', '=', job.id)
        .where('status', 'in', ['Pending', 'Running'])
        .where('occurrence_id', '!=', occurrenceId)
        .execute();
      for (const r of rows) active.add(r.device_guid);
    }

    const runValues = devices.map((d) => {
      const skip = d.status === 'quarantined' ? 'device_quarantined' : active.has(d.guid) ? 'previous_run_active' : null;
      const failed = !skip && missing >= 0;
      return {
        occurrence_id: occurrenceId,
        job_id: job.id,
        device_guid: d.guid,
        hostname: d.hostname,
        site_id: d.site_id,
        resolved_from: d.resolved_from,
        status: skip ? 'Skipped' : failed ? 'Failed' : 'Pending',
        skip_reason: skip,
        error: failed ? `assembly ${job.components[missing]!.assembly_guid} not found` : null,
        finished_at: skip || failed ? now : null,
        created_at: now,
      };
    });
    const runs: Array<{ id: string; device_guid: string; hostname: string; site_id: number | null; status: string }> = [];
    for (const part of chunks(runValues)) {
      runs.push(
        ...(await trx
          .insertInto('scheduled_job_runs')
          .values(part)
          .onConflict((oc) => oc.columns(['occurrence_id', 'device_guid']).doNothing())
          .returning(['id', 'device_guid', 'hostname', 'site_id', 'status'])
          .execute()),
      );
    }

    const pending = runs.filter((r) => r.status === 'Pending');
    const expiryMs = expirationMs(job.expiration);
    const expiresAt = expiryMs === null ? NO_EXPIRY : new Date(occ.scheduled_for.getTime() + expiryMs);
    const executions = pending.flatMap((run) =>
      job.components.map((_c, index) => ({
        id: randomUUID(),
        run_id: run.id,
        component_index: index,
        activity_kind: 'scheduled' as const,
        device_guid: run.device_guid,
        hostname: run.hostname,
        site_id: run.site_id,
        assembly_guid: assemblies[index]!.assembly_guid,
        assembly_revision: assemblies[index]!.revision,
        script_sha256: assemblies[index]!.content_hash,
        script_name: assemblies[index]!.display_name,
        status: 'Pending' as const,
        phase: index === 0 ? 'waiting_for_device' : 'waiting_for_previous',
        expires_at: expiresAt,
        created_at: now,
        updated_at: now,
      })),
    );
    for (const part of chunks(executions)) {
      await trx.insertInto('activity_history').values(part).onConflict((oc) => oc.columns(['run_id', 'component_index']).doNothing()).execute();
    }

    const sites = [...new Set(pending.map((r) => r.site_id ?? MANAGER_SITE))];
    for (const siteId of sites) {
      await enqueueWorkItem(trx, {
        kind: 'scheduled_run',
        dedupeKey: `scheduled-run:${occurrenceId}:${siteId}`,
        siteId,
        jobId: job.id,
        payload: { occurrence_id: occurrenceId, site_id: siteId },
        availableAt: now,
      });
    }
    await trx.updateTable('scheduled_job_occurrences').set({ started_at: now }).where('id', '=', occurrenceId).execute();
    await rollupOccurrence(trx, occurrenceId, now);
    await finishWorkItem(trx, lease, 'succeeded', now);
    return true;
  });
}
