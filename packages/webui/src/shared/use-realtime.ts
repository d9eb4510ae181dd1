// React access to the one realtime connection: listen to an event, hold a room while a page shows
// it, and read whether the connection is live (to say "live" or "not live" next to a list).
import { createContext, useContext, useEffect, useRef, useSyncExternalStore } from 'react';
import type { RealtimeClient, RealtimeHandler, RealtimeStatus } from './realtime';

/** Null outside the signed-in app (and in screens that need no live data): hooks then do nothing. */
export const RealtimeContext = createContext<RealtimeClient | null>(null);

export function useRealtimeEvent(event: string, handler: RealtimeHandler): void {
  const client = useContext(RealtimeContext);
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => client?.on(event, (payload) => latest.current(payload)), [client, event]);
}

/** Joins `room` while the calling component is mounted; null joins nothing. */
export function useRealtimeRoom(room: string | null): void {
  const client = useContext(RealtimeContext);
  useEffect(() => (client && room ? client.join(room) : undefined), [client, room]);
}

const NO_STATUS = () => () => undefined;

export function useRealtimeStatus(): RealtimeStatus {
  const client = useContext(RealtimeContext);
  return useSyncExternalStore(
    client ? (listener) => client.onStatus(listener) : NO_STATUS,
    () => client?.status() ?? 'disconnected',
  );
}
