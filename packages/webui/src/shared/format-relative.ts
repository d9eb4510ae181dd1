// "3 min ago" for last-seen times: coarse enough to read at a glance in a long list; the exact time
// goes in a tooltip.

const STEPS = [
  { limit: 60, divisor: 1, unit: 's' },
  { limit: 3_600, divisor: 60, unit: 'min' },
  { limit: 86_400, divisor: 3_600, unit: 'h' },
  { limit: 86_400 * 60, divisor: 86_400, unit: 'd' },
] as const;

/** `iso` relative to `now` (milliseconds); null or unparsable input answers "never" / the input. */
export function formatRelative(iso: string | null | undefined, now: number): string {
  if (!iso) return 'never';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const seconds = Math.round((now - at) / 1000);
  // Clock skew between engine and browser must not show "in 2 s" for something that just happened.
  if (seconds < 10) return 'just now';
  for (const step of STEPS) {
    if (seconds < step.limit) return `${Math.floor(seconds / step.divisor)} ${step.unit} ago`;
  }
  return `${Math.floor(seconds / (86_400 * 30))} mo ago`;
}
