// Query hooks for the device pages, and the live updates that keep their caches current without
// refetching a 50,000-row list.
import { keepPreviousData, useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { retryNetworkOnce } from '../../shared/query-retry';
import { useRealtimeEvent, useRealtimeStatus } from '../../shared/use-realtime';
import { type DeviceListQuery, paramsFromQuery } from './device-list-query';
import { getDevice, getDeviceDetails, listDevices } from './devices-api';
import { applyPresence, parsePresenceUpdates } from './presence-updates';

export const DEVICES_KEY = ['devices'] as const;
const LIST_KEY = [...DEVICES_KEY, 'list'] as const;

export function useDeviceList(query: DeviceListQuery) {
  return useInfiniteQuery({
    queryKey: [...LIST_KEY, paramsFromQuery(query).toString()],
    queryFn: ({ pageParam, signal }) => listDevices(query, pageParam, { signal }),
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
  return useQuery({
    queryKey: [...DEVICES_KEY, 'one', guid.toUpperCase()],
    queryFn: ({ signal }) => getDevice(guid, { signal }),
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
 * Patches `agent_status_changed` into every cached list page and single device. Changes sent while
 * the connection was down are lost, so a reconnect refetches what is on screen once.
 */
export function useLivePresence(): void {
  const queryClient = useQueryClient();
  const status = useRealtimeStatus();
  const wasConnected = useRef(false);
  useEffect(() => {
    if (status !== 'connected') return;
    if (wasConnected.current) void queryClient.invalidateQueries({ queryKey: DEVICES_KEY });
    wasConnected.current = true;
  }, [status, queryClient]);
  useRealtimeEvent('agent_status_changed', (payload) => {
    const updates = parsePresenceUpdates(payload);
    if (updates.length === 0) return;
    queryClient.setQueriesData({ queryKey: LIST_KEY }, (data: Parameters<typeof applyPresence>[0]) => applyPresence(data, updates));
    for (const update of updates) {
      queryClient.setQueryData([...DEVICES_KEY, 'one', update.guid.toUpperCase()], (device: { presence: string } | undefined) =>
        device && device.presence !== update.status ? { ...device, presence: update.status } : device,
      );
    }
  });
}
