// Uptime that ticks every second between polls, counted from when the engine reported it.
import { useEffect, useState } from 'react';

export function useLiveUptime(uptimeSeconds: number, reportedAt: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  return uptimeSeconds + Math.max(0, Math.floor((now - reportedAt) / 1_000));
}
