// Query hook for GET /health: polled every 5 s (as background traffic); a 503 carries the same Health
// body and is data, not an error.
import { type Health, HealthSchema } from '@borealis/protocol';
import { useQuery } from '@tanstack/react-query';
import { getJson } from '../../shared/api-client';

export const HEALTH_REFETCH_MS = 5_000;

export function useHealth() {
  return useQuery<Health>({
    queryKey: ['health'],
    queryFn: ({ signal }) => getJson('/health', HealthSchema, { signal, dataStatuses: [503], background: true }),
    refetchInterval: HEALTH_REFETCH_MS,
    // One quick retry, then show the error; polling continues and clears it when the engine is back.
    retry: 1,
    retryDelay: 1_000,
  });
}
