// The site list for every page that needs it (Sites, the users' site editor, credentials).
import { useQuery } from '@tanstack/react-query';
import { retryNetworkOnce } from '../../shared/query-retry';
import { listSites } from './sites-api';

export const SITES_KEY = ['sites'] as const;

export function useSites() {
  return useQuery({
    queryKey: SITES_KEY,
    queryFn: ({ signal }) => listSites({ signal }),
    retry: retryNetworkOnce,
  });
}
