// Schedule choices and labels for the editor and the list (automation.md §3.2).
import type { Schedule } from '@borealis/protocol';

export const SCHEDULE_TYPE_OPTIONS: Array<{ value: Schedule['type']; label: string }> = [
  { value: 'immediately', label: 'Immediately (once, now)' },
  { value: 'once', label: 'Once' },
  { value: 'every_5_minutes', label: 'Every 5 minutes' },
  { value: 'every_10_minutes', label: 'Every 10 minutes' },
  { value: 'every_15_minutes', label: 'Every 15 minutes' },
  { value: 'every_30_minutes', label: 'Every 30 minutes' },
  { value: 'every_hour', label: 'Every hour' },
  { value: 'daily', label: 'Daily' },
  { value: 'weekly', label: 'Weekly' },
  { value: 'monthly', label: 'Monthly' },
  { value: 'yearly', label: 'Yearly' },
  { value: 'cron', label: 'Cron expression' },
];

export const EXPIRATION_OPTIONS = [
  { value: 'no_expire', label: 'Never (wait for the device)' },
  { value: '30m', label: '30 minutes' },
  { value: '1h', label: '1 hour' },
  { value: '4h', label: '4 hours' },
  { value: '1d', label: '1 day' },
  { value: '7d', label: '7 days' },
];

export function needsStart(type: Schedule['type']): boolean {
  return type !== 'immediately' && type !== 'cron';
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function describeSchedule(schedule: Record<string, unknown>): string {
  const type = String(schedule.type ?? 'immediately');
  const label = SCHEDULE_TYPE_OPTIONS.find((o) => o.value === type)?.label ?? type;
  const zone = typeof schedule.timezone === 'string' && schedule.timezone ? ` (${schedule.timezone})` : '';
  if (type === 'cron') return `cron ${String(schedule.cron ?? '')}${zone}`;
  if (typeof schedule.start === 'string' && type !== 'immediately') return `${label} from ${schedule.start.replace('T', ' ')}${zone}`;
  return label;
}
