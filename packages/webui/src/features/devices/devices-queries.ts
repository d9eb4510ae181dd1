// Query hooks for the device pages, and the live updates that keep their caches current without
// refetching a 50,000-row list.
import { keepPreviousData, type QueryClient, useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { retryNetworkOnce } from '../../shared/query-retry';
import { useRealtimeEvent, useRealtimeStatus } from '../../shared/use-realtime';
import { type DeviceListQuery, paramsFromQuery } from './device-list-query';
import { getDevice, getDeviceDetails, listDevices } from './devices-api';
import { applyDevicePresence, applyPresence, createRecentPresence, parsePresenceUpdates, PRESENCE_WRITE_LAG_MS, type RecentPresence } from './presence-updates';

export const DEVICES_KEY = ['devices'] as const;
const LIST_KEY = [...DEVICES_KEY, 'list'] as const;

/** Recent presence changes per query client (one per signed-in app; tests make their own). */
const recentByClient = new WeakMap<QueryClient, RecentPresence>();
function recentPresence(queryClient: QueryClient): RecentPresence {
  let recent = recentByClient.get(queryClient);
  if (!recent) recentByClient.set(queryClient, (recent = createRecentPresence()));
  return recent;
}

export function useDeviceList(query: DeviceListQuery) {
  const queryClient = useQueryClient();
  return useInfiniteQuery({
    queryKey: [...LIST_KEY, paramsFromQuery(query).toString()],
    queryFn: async ({ pageParam, signal }) => {
      const page = await listDevices(query, pageParam, { signal });
      const updates = recentPresence(queryClient).current(Date.now());
      return applyPresence({ pages: [page], pageParams: [pageParam] }, updates)?.pages[0] ?? page;
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    retry: retryNetworkOnce,
    // Typing in the search box keeps the old rows on screen until the new ones arrive.
    placeholderData: keepPreviousData,
    // Presence arrives live; a refetch of every loaded page on each focus would cost more than it gives.
    refetchOnWindowFocus: false,
  });
}

export function useDevice(guid: string) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: [...DEVICES_KEY, 'one', guid.toUpperCase()],
    queryFn: async ({ signal }) => applyDevicePresence(await getDevice(guid, { signal }), recentPresence(queryClient).current(Date.now())),
    retry: retryNetworkOnce,
  });
}

export function useDeviceDetails(hostname: string | undefined) {
  return useQuery({
    queryKey: [...DEVICES_KEY, 'details', hostname],
    queryFn: ({ signal }) => getDeviceDetails(hostname ?? '', { signal }),
    enabled: hostname !== undefined,
    retry: retryNetworkOnce,
  });
}

/**
 * Patches `agent_status_changed` into every cached list page and single device, and keeps the
 * recent changes for the reads that follow (the engine writes presence in its 10 s flush, so a read
 * just after a change can still say the opposite). Mounted once for the signed-in app, so a change
 * that happens on another page is known when the device pages open. Changes sent while the
 * connection was down are lost, so a reconnect refetches what is on screen once, and every
 * connection reads again once the engine has written what happened just before it.
 */
export function useLivePresence(): void {
  const queryClient = useQueryClient();
  const status = useRealtimeStatus();
  const wasConnected = useRef(false);
  useEffect(() => {
    if (status !== 'connected') return;
    if (wasConnected.current) {
      recentPresence(queryClient).clear();
      void queryClient.invalidateQueries({ queryKey: DEVICES_KEY });
    }
    wasConnected.current = true;
    // Changes made just before this connection came up were neither received nor, maybe, written
    // yet when the pages read them: read once more when the engine has surely written them.
    const settled = setTimeout(() => void queryClient.invalidateQueries({ queryKey: DEVICES_KEY }), PRESENCE_WRITE_LAG_MS);
    return () => clearTimeout(settled);
  }, [status, queryClient]);
  useRealtimeEvent('agent_status_changed', (payload) => {
    const updates = parsePresenceUpdates(payload);
    if (updates.length === 0) return;
    recentPresence(queryClient).remember(updates, Date.now());
    queryClient.setQueriesData({ queryKey: LIST_KEY }, (data: Parameters<typeof applyPresence>[0]) => applyPresence(data, updates));
    for (const update of updates) {
      queryClient.setQueryData([...DEVICES_KEY, 'one', update.guid.toUpperCase()], (device: Parameters<typeof applyDevicePresence>[0] | undefined) =>
        device ? applyDevicePresence(device, [update]) : device,
      );
    }
  });
}
