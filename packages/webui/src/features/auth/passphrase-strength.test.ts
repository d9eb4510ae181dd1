// Behaviour of the strength hint: short is "too short", repetition is weak, long and varied is strong.
import { describe, expect, it } from 'vitest';
import { estimateStrength, secretLength } from './passphrase-strength';

describe('estimateStrength', () => {
  it('calls anything under 12 characters too short', () => {
    expect(estimateStrength('').score).toBe(0);
    expect(estimateStrength('Abc!1234567').score).toBe(0);
  });

  it('rates a repeated character as weak however long it is', () => {
    expect(estimateStrength('a'.repeat(40)).score).toBe(1);
  });

  it('rates 12 lower-case letters below a long passphrase of words', () => {
    const short = estimateStrength('lettersonlyx').score;
    const long = estimateStrength('aurora over the fjord 2026').score;
    expect(short).toBeLessThan(long);
    expect(long).toBeGreaterThanOrEqual(3);
  });

  it('rates a long mixed passphrase as strong', () => {
    expect(estimateStrength('Correct-Horse-Battery-Staple-42!').score).toBe(4);
  });
});

describe('secretLength', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(secretLength('🦊🦊')).toBe(2);
  });
});
