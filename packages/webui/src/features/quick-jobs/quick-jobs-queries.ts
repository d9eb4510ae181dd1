// Quick-job queries. An open job is refreshed every 1.5 s (background requests, so watching does
// not keep a session awake); once every target is final the page stops polling.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { QuickJob } from '@borealis/protocol';
import { retryNetworkOnce } from '../../shared/query-retry';
import { cancelQuickJob, getActivity, getAssembly, getQuickJob, listQuickJobs, listTargets, quickRun, type QuickRunInput, searchAssemblies } from './quick-jobs-api';

export const QUICK_JOBS_KEY = ['quick-jobs'] as const;
export const LIVE_REFETCH_MS = 1500;

export const isOpen = (job: QuickJob | undefined) => job !== undefined && job.finished_at === null;

export function useQuickJobs() {
  return useInfiniteQuery({
    queryKey: [...QUICK_JOBS_KEY, 'list'],
    queryFn: ({ pageParam, signal }) => listQuickJobs(pageParam, { signal, background: true }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    refetchInterval: 5000,
    retry: retryNetworkOnce,
  });
}

export function useQuickJob(id: string) {
  return useQuery({
    queryKey: [...QUICK_JOBS_KEY, 'job', id],
    queryFn: ({ signal }) => getQuickJob(id, { signal, background: true }),
    refetchInterval: (query) => (isOpen(query.state.data) || !query.state.data ? LIVE_REFETCH_MS : false),
    retry: retryNetworkOnce,
  });
}

export function useQuickJobTargets(id: string, isLive: boolean) {
  return useQuery({
    queryKey: [...QUICK_JOBS_KEY, 'targets', id],
    queryFn: ({ signal }) => listTargets(id, {}, { signal, background: true }),
    // Until the last open target is seen final too (the job may finish between two polls).
    refetchInterval: (query) => (isLive || query.state.data?.targets.some((t) => t.status === 'Pending' || t.status === 'Running') ? LIVE_REFETCH_MS : false),
    retry: retryNetworkOnce,
  });
}

/** `status` is part of the key so the stored result replaces the live chunks when the row finishes. */
export function useActivity(jobId: string | null, status: string, isLive: boolean) {
  return useQuery({
    queryKey: [...QUICK_JOBS_KEY, 'activity', jobId, status],
    queryFn: ({ signal }) => getActivity(jobId!, { signal, background: true }),
    enabled: jobId !== null,
    refetchInterval: isLive ? LIVE_REFETCH_MS : false,
    retry: retryNetworkOnce,
  });
}

export function useCancelQuickJob(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (jobIds?: readonly string[]) => cancelQuickJob(id, jobIds),
    onSettled: () => client.invalidateQueries({ queryKey: QUICK_JOBS_KEY }),
  });
}

export function useQuickRun() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ body, key }: { body: QuickRunInput; key: string }) => quickRun(body, key),
    onSuccess: () => client.invalidateQueries({ queryKey: [...QUICK_JOBS_KEY, 'list'] }),
  });
}

export function useAssemblySearch(q: string, enabled: boolean) {
  return useQuery({ queryKey: ['assemblies', 'search', q], queryFn: ({ signal }) => searchAssemblies(q, { signal }), enabled, retry: retryNetworkOnce });
}

export function useAssembly(guid: string | null) {
  return useQuery({ queryKey: ['assemblies', 'one', guid], queryFn: ({ signal }) => getAssembly(guid!, { signal }), enabled: guid !== null, retry: retryNetworkOnce });
}
