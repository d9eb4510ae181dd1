// Behaviour of formatDuration: the two largest non-zero units, never negative or fractional.
import { describe, expect, it } from 'vitest';
import { formatDuration, formatRunTime } from './format-duration';

describe('formatDuration', () => {
  it('shows seconds alone under a minute', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(42)).toBe('42 s');
  });

  it('shows minutes and seconds under an hour', () => {
    expect(formatDuration(3 * 60 + 12)).toBe('3 min 12 s');
  });

  it('shows hours and minutes, dropping a zero second unit', () => {
    expect(formatDuration(2 * 3600 + 5 * 60 + 59)).toBe('2 h 5 min');
    expect(formatDuration(2 * 3600 + 30)).toBe('2 h');
  });

  it('shows days and hours past a day', () => {
    expect(formatDuration(3 * 86_400 + 4 * 3600 + 59 * 60)).toBe('3 d 4 h');
  });

  it('clamps negative input and floors fractions', () => {
    expect(formatDuration(-5)).toBe('0 s');
    expect(formatDuration(59.9)).toBe('59 s');
  });
});

describe('formatRunTime', () => {
  it('shows milliseconds under a second, one decimal under a minute, then minutes and seconds', () => {
    expect(formatRunTime(37)).toBe('37 ms');
    expect(formatRunTime(1520)).toBe('1.5 s');
    expect(formatRunTime(125_000)).toBe('2 min 5 s');
  });
});
