// Approval queue queries. Until the live push arrives they refetch every 5 s in the background
// (no idle-timeout extension), and a decision refreshes every approvals query at once.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { retryNetworkOnce } from '../../shared/query-retry';
import { type ApprovalListParams, listApprovals } from './approvals-api';

export const APPROVALS_KEY = ['approvals'] as const;
export const APPROVALS_REFETCH_MS = 5000;
const PAGE_SIZE = 50;

/** One status (or every row when undefined), newest first, with "load more" pages. */
export function useApprovals(status: ApprovalListParams['status']) {
  return useInfiniteQuery({
    queryKey: [...APPROVALS_KEY, 'list', status ?? 'all'],
    queryFn: ({ pageParam, signal }) => listApprovals({ status, cursor: pageParam, limit: PAGE_SIZE }, { signal, background: true }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    refetchInterval: APPROVALS_REFETCH_MS,
    retry: retryNetworkOnce,
  });
}

/** Pending requests in my sites, for the navbar badge. */
export function usePendingApprovalCount() {
  return useQuery({
    queryKey: [...APPROVALS_KEY, 'pending-count'],
    queryFn: ({ signal }) => listApprovals({ status: 'pending', limit: 1 }, { signal, background: true }),
    select: (list) => list.pending_count,
    refetchInterval: APPROVALS_REFETCH_MS,
    retry: retryNetworkOnce,
  });
}
