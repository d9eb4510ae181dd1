// Schedule computation (automation.md §3.2): the occurrences of a schedule in its time zone, the
// first at or after an instant, and validation with the spec's error codes. Pure: no clock, no I/O.

import { Cron } from 'croner';
import type { Schedule } from '@borealis/protocol';
import { AppError } from '../errors';
import { addDays, daysInMonth, formatLocal, instantOfWallTime, isValidTimeZone, wallTimeOf, type WallTime } from './zoned-time';

const MINUTE = 60_000;
const INTERVAL_MINUTES: Record<string, number> = {
  every_5_minutes: 5,
  every_10_minutes: 10,
  every_15_minutes: 15,
  every_30_minutes: 30,
  every_hour: 60,
  hourly: 60,
};

/** A validated schedule: its anchor resolved to an instant and its zone fixed. */
export interface CompiledSchedule {
  readonly type: Schedule['type'];
  readonly timezone: string;
  /** The anchor instant (null for `immediately` and `cron` without start). */
  readonly start: Date | null;
  /** The anchor's wall time in the zone (calendar types). */
  readonly anchor: WallTime | null;
  readonly cron: Cron | null;
}

export function floorToMinute(d: Date): Date {
  return new Date(Math.floor(d.getTime() / MINUTE) * MINUTE);
}

/** The host's zone, for schedules without one when BOREALIS_TIMEZONE is unset. */
export function hostTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const OFFSET_SUFFIX = /(Z|[+-]\d{2}:?\d{2})$/i;
const WALL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

function parseStart(start: string, timezone: string): Date {
  if (OFFSET_SUFFIX.test(start)) {
    const d = new Date(start);
    if (!Number.isNaN(d.getTime())) return floorToMinute(d);
  } else {
    const m = WALL.exec(start) ?? /^(\d{4})-(\d{2})-(\d{2})$/.exec(start);
    if (m) {
      const wall = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0) };
      if (wall.month >= 1 && wall.month <= 12 && wall.day >= 1 && wall.day <= daysInMonth(wall.year, wall.month) && wall.hour < 24 && wall.minute < 60) {
        return instantOfWallTime(wall, timezone);
      }
    }
  }
  throw new AppError('validation_failed', 'schedule.start is not a valid date-time', [{ path: 'schedule.start', message: 'must be an ISO date-time' }]);
}

/** Validates a schedule (422 invalid_timezone, invalid_cron, start_required) and compiles it. */
export function compileSchedule(schedule: Schedule, defaultTimeZone: string): CompiledSchedule {
  const timezone = schedule.timezone || defaultTimeZone;
  if (!isValidTimeZone(timezone)) throw new AppError('invalid_timezone', `Unknown time zone "${timezone}"`, [{ path: 'schedule.timezone', message: 'must be an IANA time zone' }]);
  const type = schedule.type;
  let cron: Cron | null = null;
  if (type === 'cron') {
    const pattern = (schedule.cron ?? '').trim();
    if (pattern.split(/\s+/).length !== 5) throw new AppError('invalid_cron', 'cron needs exactly five fields', [{ path: 'schedule.cron', message: 'must have five fields' }]);
    try {
      // legacyMode: day-of-month OR day-of-week, as classic cron (§3.2).
      cron = new Cron(pattern, { timezone, legacyMode: true, paused: true });
    } catch (err) {
      throw new AppError('invalid_cron', `Invalid cron expression: ${(err as Error).message}`.slice(0, 300), [{ path: 'schedule.cron', message: 'is not a valid cron expression' }]);
    }
  }
  const needsStart = type !== 'immediately' && type !== 'cron';
  if (needsStart && !schedule.start) throw new AppError('start_required', `Schedule type ${type} needs a start`, [{ path: 'schedule.start', message: 'is required' }]);
  const start = schedule.start && type !== 'immediately' ? parseStart(schedule.start, timezone) : null;
  return { type, timezone, start, anchor: start ? wallTimeOf(start, timezone) : null, cron };
}

function monthly(anchor: WallTime, k: number, zone: string): Date {
  const months = anchor.year * 12 + (anchor.month - 1) + k;
  const year = Math.floor(months / 12);
  const month = (months % 12) + 1;
  return instantOfWallTime({ ...anchor, year, month, day: Math.min(anchor.day, daysInMonth(year, month)) }, zone);
}

function yearly(anchor: WallTime, k: number, zone: string): Date {
  const year = anchor.year + k;
  return instantOfWallTime({ ...anchor, year, day: Math.min(anchor.day, daysInMonth(year, anchor.month)) }, zone);
}

/**
 * The first occurrence at or after `at` (floored to the minute), or null when none remains.
 * `createdAt` is the instant an `immediately` job was saved.
 */
export function firstOccurrenceAtOrAfter(s: CompiledSchedule, at: Date, createdAt?: Date): Date | null {
  const t = floorToMinute(at);
  switch (s.type) {
    case 'immediately': {
      const when = floorToMinute(createdAt ?? at);
      return when.getTime() >= t.getTime() ? when : null;
    }
    case 'once':
      return s.start!.getTime() >= t.getTime() ? s.start : null;
    case 'cron': {
      const from = s.start && s.start > t ? s.start : t;
      // nextRun is strictly after its argument; one second back makes it "at or after".
      return s.cron!.nextRun(new Date(from.getTime() - 1000));
    }
    case 'daily':
    case 'weekly': {
      const step = s.type === 'daily' ? 1 : 7;
      const start = s.start!;
      if (t <= start) return start;
      // Estimate the index from elapsed days; zone offsets move it by at most one step.
      let k = Math.max(0, Math.floor((t.getTime() - start.getTime()) / (step * 86_400_000)) - 1);
      for (;;) {
        const candidate = instantOfWallTime(addDays(s.anchor!, k * step), s.timezone);
        if (candidate >= t) return candidate;
        k += 1;
      }
    }
    case 'monthly':
    case 'yearly': {
      const start = s.start!;
      if (t <= start) return start;
      const w = wallTimeOf(t, s.timezone);
      const elapsedMonths = (w.year - s.anchor!.year) * 12 + (w.month - s.anchor!.month);
      let k = Math.max(0, s.type === 'monthly' ? elapsedMonths - 1 : Math.floor(elapsedMonths / 12) - 1);
      for (;;) {
        const candidate = s.type === 'monthly' ? monthly(s.anchor!, k, s.timezone) : yearly(s.anchor!, k, s.timezone);
        if (candidate >= t) return candidate;
        k += 1;
      }
    }
    default: {
      const minutes = INTERVAL_MINUTES[s.type]!;
      const start = s.start!;
      if (t <= start) return start;
      const k = Math.ceil((t.getTime() - start.getTime()) / (minutes * MINUTE));
      return new Date(start.getTime() + k * minutes * MINUTE);
    }
  }
}

/** The occurrence after `previous`. */
export function occurrenceAfter(s: CompiledSchedule, previous: Date): Date | null {
  if (s.type === 'immediately' || s.type === 'once') return null;
  return firstOccurrenceAtOrAfter(s, new Date(floorToMinute(previous).getTime() + MINUTE));
}

/** The next `count` occurrences from `from`, for previews. */
export function upcoming(s: CompiledSchedule, from: Date, count: number, createdAt?: Date): Date[] {
  const out: Date[] = [];
  let next = firstOccurrenceAtOrAfter(s, from, createdAt);
  while (next && out.length < count) {
    out.push(next);
    next = occurrenceAfter(s, next);
  }
  return out;
}

/**
 * The due occurrences in [from, to]: their count (capped) and the latest. Interval schedules are
 * counted arithmetically so a long outage costs nothing.
 */
export function dueBetween(s: CompiledSchedule, from: Date, to: Date, cap = 100_000): { count: number; latest: Date | null } {
  if (from > to) return { count: 0, latest: null };
  const minutes = INTERVAL_MINUTES[s.type];
  if (minutes && s.start) {
    const first = firstOccurrenceAtOrAfter(s, from)!;
    if (first > to) return { count: 0, latest: null };
    const count = Math.floor((to.getTime() - first.getTime()) / (minutes * MINUTE)) + 1;
    return { count, latest: new Date(first.getTime() + (count - 1) * minutes * MINUTE) };
  }
  let count = 0;
  let latest: Date | null = null;
  let next: Date | null = s.type === 'immediately' || s.type === 'once' ? from : firstOccurrenceAtOrAfter(s, from);
  while (next && next <= to && count < cap) {
    count += 1;
    latest = next;
    next = occurrenceAfter(s, next);
  }
  return { count, latest };
}

export function previewOf(s: CompiledSchedule, from: Date, count: number): { at: string; local: string }[] {
  return upcoming(s, from, count, from).map((d) => ({ at: d.toISOString(), local: formatLocal(d, s.timezone) }));
}
