// Human-readable durations for uptimes and ages: the two largest units, e.g. "2 h 5 min".

const UNITS = [
  { label: 'd', seconds: 86_400 },
  { label: 'h', seconds: 3_600 },
  { label: 'min', seconds: 60 },
  { label: 's', seconds: 1 },
] as const;

export function formatDuration(totalSeconds: number): string {
  let rest = Math.max(0, Math.floor(totalSeconds));
  const parts: string[] = [];
  for (const unit of UNITS) {
    const count = Math.floor(rest / unit.seconds);
    rest -= count * unit.seconds;
    // Start at the largest non-zero unit; keep the next one only when it is not zero.
    if (parts.length === 0 && count > 0) parts.push(`${count} ${unit.label}`);
    else if (parts.length === 1) {
      if (count > 0) parts.push(`${count} ${unit.label}`);
      break;
    }
  }
  return parts.length > 0 ? parts.join(' ') : '0 s';
}

/** A job's run time: milliseconds under a second, one decimal under a minute, then as formatDuration. */
export function formatRunTime(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatDuration(ms / 1000);
}
