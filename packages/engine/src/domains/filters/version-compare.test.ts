// Version ordering for installed-software filters: dpkg, rpm and dotted numeric (automation.md §7, F1).

import { describe, expect, it } from 'vitest';
import { compareDotted, compareDpkg, compareRpm, compareVersions } from './version-compare';

const sign = (n: number) => Math.sign(n);

describe('version ordering', () => {
  it('F1: dpkg 1:1.0-1 is newer than 2.0 (the epoch wins)', () => {
    expect(sign(compareDpkg('1:1.0-1', '2.0'))).toBe(1);
    expect(sign(compareVersions('dpkg', '1:1.0-1', '2.0'))).toBe(1);
  });

  it.each([
    ['1.0~rc1', '1.0', -1],
    ['1.0', '1.0-1', -1],
    ['2.10', '2.9', 1],
    ['1.2.3-1ubuntu1', '1.2.3-1', 1],
    ['3.0.2-0ubuntu1.10', '3.0.2-0ubuntu1.9', 1],
    ['1.0a', '1.0+', -1],
    ['0:5.9', '5.9', 0],
  ])('dpkg %s vs %s → %i', (a, b, expected) => {
    expect(sign(compareDpkg(a, b))).toBe(expected);
  });

  it.each([
    ['1.0~rc1', '1.0', -1],
    ['1.0^git1', '1.0', 1],
    ['1.0^git1', '1.0.1', -1],
    ['2.10', '2.9', 1],
    ['1.0-2.el9', '1.0-10.el9', -1],
    ['1:1.0', '2.0', 1],
    ['1.0a', '1.0.1', -1],
  ])('rpm %s vs %s → %i', (a, b, expected) => {
    expect(sign(compareRpm(a, b))).toBe(expected);
  });

  it('dotted numeric compares parts as numbers', () => {
    expect(sign(compareDotted('10.0.1', '9.9'))).toBe(1);
    expect(sign(compareDotted('1.2', '1.2.0'))).toBe(0);
    expect(sign(compareVersions('snap', '1.10', '1.9'))).toBe(1);
  });
});
