// Whole seconds left until a moment, ticking every second: used to show "try again in 12 s" after 429.
import { useEffect, useState } from 'react';

/** `until` is a Date.now() value, or null for no countdown (answers 0). */
export function useCountdown(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [until]);
  return until === null ? 0 : Math.max(0, Math.ceil((until - now) / 1_000));
}
