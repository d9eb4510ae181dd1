// Byte counts and percentages as people read them: binary units (what `free -h` and `df -h` show),
// one decimal below 10.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

export function formatBytes(bytes: number | string | null | undefined): string {
  const value = typeof bytes === 'string' ? Number(bytes) : bytes;
  if (value === null || value === undefined || !Number.isFinite(value) || value < 0) return '—';
  let rest = value;
  let unit = 0;
  while (rest >= 1024 && unit < UNITS.length - 1) {
    rest /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || rest >= 10 ? 0 : 1;
  return `${rest.toFixed(digits)} ${UNITS[unit]}`;
}

/** A whole percentage, clamped to 0–100; null when the agent has not sent one. */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${Math.round(Math.min(100, Math.max(0, value)))} %`;
}
