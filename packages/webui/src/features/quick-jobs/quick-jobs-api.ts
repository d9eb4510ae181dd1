// Calls to the engine's quick-job routes (routes.tsv group `quick-jobs`) and the assembly reads the
// launcher needs; answers are checked against the protocol schemas.
import {
  ActivityDetailSchema,
  AssemblyListSchema,
  AssemblySchema,
  type QuickJobStatus,
  QuickJobCancelResponseSchema,
  QuickJobListSchema,
  QuickJobSchema,
  QuickJobTargetListSchema,
  type QuickRunRequest,
  QuickRunResponseSchema,
} from '@borealis/protocol';
import { getJson, type RequestOptions, sendJson } from '../../shared/api-client';

function qs(params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') query.set(k, String(v));
  const text = query.toString();
  return text ? `?${text}` : '';
}

export type QuickRunInput = Pick<QuickRunRequest, 'assembly_guid' | 'targets' | 'variable_values' | 'timeout_seconds' | 'expires_in_seconds'>;

/** `idempotencyKey` makes a retried click start nothing new (api.md "Concurrency and idempotency"). */
export const quickRun = (body: QuickRunInput, idempotencyKey: string) =>
  sendJson('POST', '/api/scripts/quick_run', body, QuickRunResponseSchema, { headers: { 'idempotency-key': idempotencyKey } });

export const listQuickJobs = (cursor: string | undefined, options?: RequestOptions) => getJson(`/api/quick_jobs${qs({ cursor, limit: 50 })}`, QuickJobListSchema, options);

export const getQuickJob = (id: string, options?: RequestOptions) => getJson(`/api/quick_jobs/${id}`, QuickJobSchema, options);

export const listTargets = (id: string, params: { status?: QuickJobStatus; cursor?: string }, options?: RequestOptions) =>
  getJson(`/api/quick_jobs/${id}/targets${qs({ status: params.status, cursor: params.cursor, limit: 200 })}`, QuickJobTargetListSchema, options);

export const cancelQuickJob = (id: string, jobIds?: readonly string[]) =>
  sendJson('POST', `/api/quick_jobs/${id}/cancel`, jobIds ? { job_ids: [...jobIds] } : {}, QuickJobCancelResponseSchema);

export const getActivity = (jobId: string, options?: RequestOptions) => getJson(`/api/device/activity/job/${jobId}`, ActivityDetailSchema, options);

export const searchAssemblies = (q: string, options?: RequestOptions) => getJson(`/api/assemblies${qs({ q, limit: 50 })}`, AssemblyListSchema, options);

export const getAssembly = (guid: string, options?: RequestOptions) => getJson(`/api/assemblies/${guid}`, AssemblySchema, options);
