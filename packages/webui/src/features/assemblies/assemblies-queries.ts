// Queries of the assemblies area: one paged list per tab and search, one assembly, its revisions.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { retryNetworkOnce } from '../../shared/query-retry';
import { type AssemblyTab, getAssembly, listAssemblies, listRevisions } from './assemblies-api';

export const ASSEMBLIES_KEY = ['assemblies'] as const;

export function useAssemblyList(domain: AssemblyTab, q: string) {
  return useInfiniteQuery({
    queryKey: [...ASSEMBLIES_KEY, 'list', domain, q],
    queryFn: ({ signal, pageParam }) => listAssemblies({ domain, q, cursor: pageParam }, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    retry: retryNetworkOnce,
  });
}

export function useAssembly(guid: string | undefined) {
  return useQuery({
    queryKey: [...ASSEMBLIES_KEY, 'one', guid],
    queryFn: ({ signal }) => getAssembly(guid!, { signal }),
    enabled: guid !== undefined,
    retry: retryNetworkOnce,
  });
}

export function useRevisions(guid: string | undefined) {
  return useQuery({
    queryKey: [...ASSEMBLIES_KEY, 'revisions', guid],
    queryFn: ({ signal }) => listRevisions(guid!, { signal }),
    enabled: guid !== undefined,
    retry: retryNetworkOnce,
  });
}
