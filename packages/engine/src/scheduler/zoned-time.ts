// Wall-clock arithmetic in IANA time zones (automation.md §3.2): an instant's wall time in a zone,
// and the instant of a wall time, with spring-forward gaps shifted by the gap and fall-back
// overlaps resolved to the first instance.

export interface WallTime {
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `zone` is an IANA zone name this runtime knows. */
export function isValidTimeZone(zone: string): boolean {
  if (!zone || zone.length > 64) return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    // RangeError is the documented answer for an unknown zone.
    return false;
  }
}

/** The wall time of an instant in a zone (seconds dropped). */
export function wallTimeOf(instant: Date, timeZone: string): WallTime {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}

/** The zone's offset from UTC at an instant, in minutes (east positive). */
export function offsetMinutesAt(instant: Date, timeZone: string): number {
  const w = wallTimeOf(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  const floored = Math.floor(instant.getTime() / 60_000) * 60_000;
  return Math.round((asUtc - floored) / 60_000);
}

function sameWall(a: WallTime, b: WallTime): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute;
}

/**
 * The instant of a wall time in a zone. Overlap (fall back): the first instance. Gap (spring
 * forward): the wall time shifted forward by the gap, i.e. read with the offset before the change.
 */
export function instantOfWallTime(wall: WallTime, timeZone: string): Date {
  const naive = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const before = offsetMinutesAt(new Date(naive - 14 * 3_600_000), timeZone);
  const after = offsetMinutesAt(new Date(naive + 14 * 3_600_000), timeZone);
  const candidates = [...new Set([before, after])]
    .map((offset) => new Date(naive - offset * 60_000))
    .filter((d) => sameWall(wallTimeOf(d, timeZone), wall))
    .sort((a, b) => a.getTime() - b.getTime());
  return candidates[0] ?? new Date(naive - before * 60_000);
}

/** `YYYY-MM-DDTHH:mm:ss±HH:MM`, the instant as the zone's wall clock shows it. */
export function formatLocal(instant: Date, timeZone: string): string {
  const w = wallTimeOf(instant, timeZone);
  const offset = offsetMinutesAt(instant, timeZone);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Calendar arithmetic on a date (no zone involved): add days. */
export function addDays(wall: WallTime, days: number): WallTime {
  const d = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + days));
  return { ...wall, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}
