// The current time, re-read every `tickMs`, for relative times ("2 min ago") that must not stand still.
import { useEffect, useState } from 'react';

export function useNow(tickMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), tickMs);
    return () => clearInterval(timer);
  }, [tickMs]);
  return now;
}
