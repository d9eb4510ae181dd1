// Schedule math (automation.md §3.2, conformance S3): DST gaps and overlaps, monthly clamping,
// Feb 29 yearly, cron in a zone, intervals and the 422 codes.

import { describe, expect, it } from 'vitest';
import type { Schedule } from '@borealis/protocol';
import { AppError } from '../errors';
import { compileSchedule, dueBetween, firstOccurrenceAtOrAfter, previewOf, upcoming } from './schedule';

const compile = (s: Partial<Schedule> & { type: Schedule['type'] }) => compileSchedule(s as Schedule, 'UTC');
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as AppError).code;
  }
  return null;
};

describe('schedule math', () => {
  it('S3: daily 02:30 Europe/Berlin runs at 03:30 on the spring DST day and once on the autumn day', () => {
    const s = compile({ type: 'daily', start: '2026-03-27T02:30', timezone: 'Europe/Berlin' });
    const spring = upcoming(s, new Date('2026-03-27T00:00:00Z'), 4);
    // 27th and 28th CET (+01), 29th the gap shifts to 03:30 CEST (= 01:30Z), 30th 02:30 CEST.
    expect(iso(spring)).toEqual(['2026-03-27T01:30:00.000Z', '2026-03-28T01:30:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
    const autumn = upcoming(s, new Date('2026-10-24T00:00:00Z'), 3);
    // 25 Oct 02:30 happens twice; the first instance (CEST, 00:30Z) only.
    expect(iso(autumn)).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    const preview = previewOf(s, new Date('2026-03-28T12:00:00Z'), 2);
    expect(preview.map((p) => p.local)).toEqual(['2026-03-29T03:30:00+02:00', '2026-03-30T02:30:00+02:00']);
  });

  it('S3: weekly keeps the wall time across the DST change', () => {
    const s = compile({ type: 'weekly', start: '2026-03-23T09:00', timezone: 'Europe/Berlin' });
    expect(iso(upcoming(s, new Date('2026-03-23T00:00:00Z'), 2))).toEqual(['2026-03-23T08:00:00.000Z', '2026-03-30T07:00:00.000Z']);
  });

  it('S3: monthly on the 31st clamps to Feb 28/29 and returns to Mar 31', () => {
    const s = compile({ type: 'monthly', start: '2027-01-31T10:00', timezone: 'UTC' });
    expect(iso(upcoming(s, new Date('2027-01-01T00:00:00Z'), 4))).toEqual([
      '2027-01-31T10:00:00.000Z',
      '2027-02-28T10:00:00.000Z',
      '2027-03-31T10:00:00.000Z',
      '2027-04-30T10:00:00.000Z',
    ]);
    const leap = compile({ type: 'monthly', start: '2028-01-31T10:00', timezone: 'UTC' });
    expect(iso(upcoming(leap, new Date('2028-02-01T00:00:00Z'), 1))).toEqual(['2028-02-29T10:00:00.000Z']);
  });

  it('S3: yearly on Feb 29 runs on Feb 28 in common years', () => {
    const s = compile({ type: 'yearly', start: '2028-02-29T08:00', timezone: 'UTC' });
    expect(iso(upcoming(s, new Date('2028-01-01T00:00:00Z'), 5))).toEqual([
      '2028-02-29T08:00:00.000Z',
      '2029-02-28T08:00:00.000Z',
      '2030-02-28T08:00:00.000Z',
      '2031-02-28T08:00:00.000Z',
      '2032-02-29T08:00:00.000Z',
    ]);
  });

  it('S3: cron 0 9 * * 1-5 in America/New_York follows the zone across DST', () => {
    const s = compile({ type: 'cron', cron: '0 9 * * 1-5', timezone: 'America/New_York' });
    // Fri 6 Mar 2026 (EST, 14:00Z), Mon 9 Mar (EDT from the 8th, 13:00Z).
    expect(iso(upcoming(s, new Date('2026-03-06T00:00:00Z'), 2))).toEqual(['2026-03-06T14:00:00.000Z', '2026-03-09T13:00:00.000Z']);
    expect(previewOf(s, new Date('2026-03-06T00:00:00Z'), 2).map((p) => p.local)).toEqual(['2026-03-06T09:00:00-05:00', '2026-03-09T09:00:00-04:00']);
  });

  it('cron day-of-month OR day-of-week', () => {
    const s = compile({ type: 'cron', cron: '0 0 13 * 5', timezone: 'UTC' });
    // Feb 2026: Fri 6th, Fri 13th (both), Fri 20th.
    expect(iso(upcoming(s, new Date('2026-02-05T00:00:00Z'), 3))).toEqual(['2026-02-06T00:00:00.000Z', '2026-02-13T00:00:00.000Z', '2026-02-20T00:00:00.000Z']);
  });

  it('intervals count from the start, absolutely, and floor to the minute', () => {
    const s = compile({ type: 'every_15_minutes', start: '2026-01-01T00:07:42Z' });
    expect(iso(upcoming(s, new Date('2026-01-01T01:00:00Z'), 2))).toEqual(['2026-01-01T01:07:00.000Z', '2026-01-01T01:22:00.000Z']);
    expect(firstOccurrenceAtOrAfter(compile({ type: 'hourly', start: '2026-01-01T00:30:00Z' }), new Date('2026-01-01T00:30:00Z'))?.toISOString()).toBe('2026-01-01T00:30:00.000Z');
  });

  it('counts the due occurrences of an outage', () => {
    const s = compile({ type: 'every_5_minutes', start: '2026-01-01T00:00:00Z' });
    const due = dueBetween(s, new Date('2026-01-01T01:00:00Z'), new Date('2026-01-01T01:59:30Z'));
    expect(due).toEqual({ count: 12, latest: new Date('2026-01-01T01:55:00Z') });
    const daily = compile({ type: 'daily', start: '2026-01-01T06:00:00Z' });
    expect(dueBetween(daily, new Date('2026-01-02T06:00:00Z'), new Date('2026-01-05T07:00:00Z'))).toEqual({ count: 4, latest: new Date('2026-01-05T06:00:00Z') });
  });

  it('once is in the past or the future; immediately is the save instant', () => {
    expect(upcoming(compile({ type: 'once', start: '2026-05-01T12:00:00Z' }), new Date('2026-04-01T00:00:00Z'), 5)).toHaveLength(1);
    expect(firstOccurrenceAtOrAfter(compile({ type: 'immediately' }), new Date('2026-04-01T00:00:30Z'))?.toISOString()).toBe('2026-04-01T00:00:00.000Z');
  });

  it('rejects an unknown zone, a bad cron and a recurring schedule without start with their codes', () => {
    expect(codeOf(() => compile({ type: 'daily', start: '2026-01-01T00:00', timezone: 'Mars/Olympus' }))).toBe('invalid_timezone');
    expect(codeOf(() => compile({ type: 'cron', cron: '61 * * * *' }))).toBe('invalid_cron');
    expect(codeOf(() => compile({ type: 'cron', cron: '* * * *' }))).toBe('invalid_cron');
    expect(codeOf(() => compile({ type: 'weekly' }))).toBe('start_required');
    expect(codeOf(() => compile({ type: 'daily', start: 'tomorrow' }))).toBe('validation_failed');
  });
});
