// Quick-job queries. An open job follows the realtime room job:<id> (target, output and summary
// events refetch what changed); a slow poll covers missed events, and a 1.5 s poll stands in while
// the realtime connection is down (background requests, so watching does not keep a session awake).
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ActivityDetail, type QuickJob, QuickJobOutputEventSchema } from '@borealis/protocol';
import { retryNetworkOnce } from '../../shared/query-retry';
import { useRealtimeEvent, useRealtimeRoom, useRealtimeStatus } from '../../shared/use-realtime';
import { cancelQuickJob, getActivity, getAssembly, getQuickJob, listQuickJobs, listTargets, quickRun, type QuickRunInput, searchAssemblies } from './quick-jobs-api';

export const QUICK_JOBS_KEY = ['quick-jobs'] as const;
export const LIVE_REFETCH_MS = 1500;
/** While events arrive over the realtime connection, polling only catches what was missed. */
export const FALLBACK_REFETCH_MS = 15_000;

function useLiveInterval(): number {
  return useRealtimeStatus() === 'connected' ? FALLBACK_REFETCH_MS : LIVE_REFETCH_MS;
}

const isEventOf = (payload: unknown, id: string) =>
  typeof payload === 'object' && payload !== null && String((payload as { quick_job_id?: unknown }).quick_job_id).toLowerCase() === id.toLowerCase();

/** Holds the job's room while its page shows, refetching what each event says changed. */
export function useQuickJobEvents(id: string) {
  const client = useQueryClient();
  useRealtimeRoom(id ? `job:${id.toLowerCase()}` : null);
  // cancelRefetch false: a burst of output chunks joins the request in flight instead of restarting it.
  const refresh = (...parts: string[]) => {
    for (const part of parts) void client.invalidateQueries({ queryKey: [...QUICK_JOBS_KEY, part] }, { cancelRefetch: false });
  };
  // A target's new status changes its activity key, which fetches the stored result by itself.
  useRealtimeEvent('quick_job_target_changed', (payload) => {
    if (isEventOf(payload, id)) refresh('job', 'targets');
  });
  // Chunks are announced up to a second before the engine stores them, and a status change swaps the
  // activity query for one fetched before they land: pushed chunks live under their own key and the
  // output panel shows the union of both, so none is lost to that race.
  useRealtimeEvent('quick_job_output', (payload) => {
    const event = QuickJobOutputEventSchema.safeParse(payload);
    if (!event.success || !isEventOf(event.data, id)) return;
    const { job_id, seq, stream, chunk } = event.data;
    client.setQueryData<LiveChunk[]>(liveChunksKey(job_id), (old = []) => mergeChunks(old, [{ seq, stream, chunk }]));
  });
  useRealtimeEvent('quick_job_summary', (payload) => {
    if (isEventOf(payload, id)) refresh('job', 'targets');
  });
}

export type LiveChunk = ActivityDetail['live_output'][number];

const liveChunksKey = (jobId: string) => [...QUICK_JOBS_KEY, 'live-chunks', jobId.toLowerCase()] as const;

/** Chunks of both lists once each (by stream and seq), in seq order. */
export function mergeChunks(a: readonly LiveChunk[], b: readonly LiveChunk[]): LiveChunk[] {
  const seen = new Set(a.map((c) => `${c.stream}:${c.seq}`));
  const added = b.filter((c) => !seen.has(`${c.stream}:${c.seq}`));
  return added.length ? [...a, ...added].sort((x, y) => x.seq - y.seq) : [...a];
}

/** Output chunks pushed over the realtime room for one execution (filled by useQuickJobEvents). */
export function usePushedChunks(jobId: string | null): readonly LiveChunk[] {
  const pushed = useQuery({ queryKey: liveChunksKey(jobId ?? ''), queryFn: () => [] as LiveChunk[], enabled: false, staleTime: Infinity, gcTime: 10 * 60_000 });
  return pushed.data ?? [];
}

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
  const interval = useLiveInterval();
  return useQuery({
    queryKey: [...QUICK_JOBS_KEY, 'job', id],
    queryFn: ({ signal }) => getQuickJob(id, { signal, background: true }),
    refetchInterval: (query) => (isOpen(query.state.data) || !query.state.data ? interval : false),
    retry: retryNetworkOnce,
  });
}

export function useQuickJobTargets(id: string, isLive: boolean) {
  const interval = useLiveInterval();
  return useQuery({
    queryKey: [...QUICK_JOBS_KEY, 'targets', id],
    queryFn: ({ signal }) => listTargets(id, {}, { signal, background: true }),
    // Until the last open target is seen final too (the job may finish between two polls).
    refetchInterval: (query) => (isLive || query.state.data?.targets.some((t) => t.status === 'Pending' || t.status === 'Running') ? interval : false),
    retry: retryNetworkOnce,
  });
}

/** `status` is part of the key so the stored result replaces the live chunks when the row finishes. */
export function useActivity(jobId: string | null, status: string, isLive: boolean) {
  const interval = useLiveInterval();
  return useQuery({
    queryKey: [...QUICK_JOBS_KEY, 'activity', jobId, status],
    queryFn: ({ signal }) => getActivity(jobId!, { signal, background: true }),
    enabled: jobId !== null,
    refetchInterval: isLive ? interval : false,
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
