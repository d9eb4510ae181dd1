// The credential list (metadata and `has_*` flags only).
import { useQuery } from '@tanstack/react-query';
import { retryNetworkOnce } from '../../shared/query-retry';
import { listCredentials } from './credentials-api';

export const CREDENTIALS_KEY = ['credentials'] as const;

export function useCredentials() {
  return useQuery({
    queryKey: CREDENTIALS_KEY,
    queryFn: ({ signal }) => listCredentials({ signal }),
    retry: retryNetworkOnce,
  });
}
