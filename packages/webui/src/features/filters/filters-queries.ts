// Query hooks for saved device filters: the list (also the devices page's filter picker), one
// filter, the editor's field catalogue and a filter's usage.
import { useQuery } from '@tanstack/react-query';
import { retryNetworkOnce } from '../../shared/query-retry';
import { getFilter, getFilterMetadata, getFilterUsage, listFilters } from './filters-api';

export const FILTERS_KEY = ['device-filters'] as const;

/** `archived`: false the active ones, true the archived ones. */
export function useFilterList(isArchived: boolean) {
  return useQuery({
    queryKey: [...FILTERS_KEY, 'list', isArchived],
    queryFn: ({ signal }) => listFilters(isArchived ? 'true' : 'false', { signal }),
    retry: retryNetworkOnce,
  });
}

export function useFilter(id: number | null) {
  return useQuery({
    queryKey: [...FILTERS_KEY, 'one', id],
    queryFn: ({ signal }) => getFilter(id ?? 0, { signal }),
    enabled: id !== null,
    retry: retryNetworkOnce,
    // The editor holds a version; a background refetch must not silently replace what is being edited.
    refetchOnWindowFocus: false,
  });
}

export function useFilterMetadata() {
  return useQuery({
    queryKey: [...FILTERS_KEY, 'metadata'],
    queryFn: ({ signal }) => getFilterMetadata({ signal }),
    retry: retryNetworkOnce,
    staleTime: 5 * 60_000,
  });
}

export function useFilterUsage(id: number | null) {
  return useQuery({
    queryKey: [...FILTERS_KEY, 'usage', id],
    queryFn: ({ signal }) => getFilterUsage(id ?? 0, { signal }),
    enabled: id !== null,
    retry: retryNetworkOnce,
  });
}
