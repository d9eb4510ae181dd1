// Query hooks for the admin-only server routes (overview, workers, work items, log viewer).
import {
  LogEntriesSchema,
  LogListSchema,
  ServerOverviewSchema,
  ServerWorkersSchema,
  WorkItemListSchema,
  type LogEntries,
  type LogList,
  type ServerOverview,
  type ServerWorkers,
  type WorkItemList,
} from '@borealis/protocol';
import { useQuery } from '@tanstack/react-query';
import { getJson } from '../../shared/api-client';

export const useServerOverview = () =>
  useQuery<ServerOverview>({ queryKey: ['server', 'overview'], queryFn: ({ signal }) => getJson('/api/server/overview', ServerOverviewSchema, { signal }), refetchInterval: 15_000, retry: false });

export const useServerWorkers = () =>
  useQuery<ServerWorkers>({ queryKey: ['server', 'workers'], queryFn: ({ signal }) => getJson('/api/server/workers', ServerWorkersSchema, { signal }), refetchInterval: 15_000, retry: false });

export function useWorkItems(filter: { status: string | null; siteId: string | null; cursor: string | null }) {
  const params = new URLSearchParams({ limit: '25' });
  if (filter.status) params.set('status', filter.status);
  if (filter.siteId) params.set('site_id', filter.siteId);
  if (filter.cursor) params.set('cursor', filter.cursor);
  return useQuery<WorkItemList>({ queryKey: ['server', 'work-items', params.toString()], queryFn: ({ signal }) => getJson(`/api/server/work_items?${params}`, WorkItemListSchema, { signal }), retry: false });
}

export const useLogList = () => useQuery<LogList>({ queryKey: ['server', 'logs'], queryFn: ({ signal }) => getJson('/api/server/logs', LogListSchema, { signal }), retry: false });

export function useLogEntries(name: string | null, options: { filter: string; limit: number; follow: boolean }) {
  const params = new URLSearchParams({ limit: String(options.limit) });
  if (options.filter) params.set('filter', options.filter);
  return useQuery<LogEntries>({
    queryKey: ['server', 'log-entries', name, params.toString()],
    queryFn: ({ signal }) => getJson(`/api/server/logs/${encodeURIComponent(name ?? '')}/entries?${params}`, LogEntriesSchema, { signal }),
    enabled: name !== null,
    refetchInterval: options.follow ? 3_000 : false,
    retry: false,
  });
}
