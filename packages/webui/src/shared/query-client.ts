// The TanStack Query client for one mounted app; every failed query or mutation is also reported to
// `onError`, so one place can react to "signed out" or "engine locked" wherever it happens.
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';

export type QueryErrorHandler = (client: QueryClient, error: Error) => void;

export function createQueryClient(onError?: QueryErrorHandler): QueryClient {
  const report = (error: Error) => onError?.(client, error);
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: report }),
    mutationCache: new MutationCache({ onError: report }),
    defaultOptions: {
      queries: { staleTime: 0, refetchOnWindowFocus: true },
    },
  });
  return client;
}
