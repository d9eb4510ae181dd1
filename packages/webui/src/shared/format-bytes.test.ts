// Behaviour of formatBytes and formatPercent: binary units, int8 strings from the engine, gaps as a dash.
import { describe, expect, it } from 'vitest';
import { formatBytes, formatPercent } from './format-bytes';

describe('formatBytes', () => {
  it('picks the largest binary unit with one decimal below ten', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(16 * 1024 ** 3)).toBe('16 GiB');
    expect(formatBytes(2.25 * 1024 ** 4)).toBe('2.3 TiB');
  });

  it('reads the string form of a bigint column', () => {
    expect(formatBytes('8589934592')).toBe('8.0 GiB');
  });

  it('shows a dash for what is missing or not a size', () => {
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes('abc')).toBe('—');
    expect(formatBytes(-1)).toBe('—');
  });
});

describe('formatPercent', () => {
  it('rounds and clamps', () => {
    expect(formatPercent(41.6)).toBe('42 %');
    expect(formatPercent(130)).toBe('100 %');
    expect(formatPercent(null)).toBe('—');
  });
});
