// Behaviour of formatRelative: coarse "ago" steps, clock skew folded into "just now".
import { describe, expect, it } from 'vitest';
import { formatRelative } from './format-relative';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

describe('formatRelative', () => {
  it('says never for a device that was never seen', () => {
    expect(formatRelative(null, NOW)).toBe('never');
    expect(formatRelative(undefined, NOW)).toBe('never');
  });

  it('folds the last few seconds and a clock ahead of ours into "just now"', () => {
    expect(formatRelative(ago(3), NOW)).toBe('just now');
    expect(formatRelative(ago(-30), NOW)).toBe('just now');
  });

  it('uses the largest whole unit', () => {
    expect(formatRelative(ago(42), NOW)).toBe('42 s ago');
    expect(formatRelative(ago(5 * 60 + 59), NOW)).toBe('5 min ago');
    expect(formatRelative(ago(3 * 3600), NOW)).toBe('3 h ago');
    expect(formatRelative(ago(2 * 86_400 + 3600), NOW)).toBe('2 d ago');
    expect(formatRelative(ago(90 * 86_400), NOW)).toBe('3 mo ago');
  });

  it('returns text that is not a time unchanged', () => {
    expect(formatRelative('yesterday', NOW)).toBe('yesterday');
  });
});
