// Approval queue queries. The realtime `approvals_changed` event refreshes every approvals query;
// a background poll (5 s while the realtime connection is down, 30 s otherwise, no idle-timeout
// extension) covers missed events, and a decision refreshes every approvals query at once.
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { retryNetworkOnce } from '../../shared/query-retry';
import { useRealtimeEvent, useRealtimeStatus } from '../../shared/use-realtime';
import { type ApprovalListParams, listApprovals } from './approvals-api';

export const APPROVALS_KEY = ['approvals'] as const;
export const APPROVALS_REFETCH_MS = 5000;
export const APPROVALS_FALLBACK_REFETCH_MS = 30_000;

function useApprovalsInterval(): number {
  return useRealtimeStatus() === 'connected' ? APPROVALS_FALLBACK_REFETCH_MS : APPROVALS_REFETCH_MS;
}

/** Refetches the approvals queries when the engine announces a queue change (its count is fleet-wide, ours is scoped). */
export function useApprovalsChanged() {
  const client = useQueryClient();
  useRealtimeEvent('approvals_changed', () => {
    void client.invalidateQueries({ queryKey: APPROVALS_KEY }, { cancelRefetch: false });
  });
}
const PAGE_SIZE = 50;

/** One status (or every row when undefined), newest first, with "load more" pages. */
export function useApprovals(status: ApprovalListParams['status']) {
  const interval = useApprovalsInterval();
  useApprovalsChanged();
  return useInfiniteQuery({
    queryKey: [...APPROVALS_KEY, 'list', status ?? 'all'],
    queryFn: ({ pageParam, signal }) => listApprovals({ status, cursor: pageParam, limit: PAGE_SIZE }, { signal, background: true }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    refetchInterval: interval,
    retry: retryNetworkOnce,
  });
}

/** Pending requests in my sites, for the navbar badge. */
export function usePendingApprovalCount() {
  const interval = useApprovalsInterval();
  useApprovalsChanged();
  return useQuery({
    queryKey: [...APPROVALS_KEY, 'pending-count'],
    queryFn: ({ signal }) => listApprovals({ status: 'pending', limit: 1 }, { signal, background: true }),
    select: (list) => list.pending_count,
    refetchInterval: interval,
    retry: retryNetworkOnce,
  });
}
