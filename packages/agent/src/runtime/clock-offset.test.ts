// §0: clock_offset = median of the last 5 samples; a dpop_invalid resync starts over from one sample.
import { describe, expect, it } from 'vitest';
import { createAgentClock, median } from './clock-offset';

describe('agent clock offset', () => {
  it('is the median of the last 5 samples, so one outlier does not move it', () => {
    let local = 1_000_000;
    const clock = createAgentClock({ now: () => local });
    for (const offset of [2000, 2100, 1900, 90_000, 2050]) clock.sample(local + offset, local);
    expect(clock.offsetMs()).toBe(2050);
    expect(clock.now().getTime()).toBe(local + 2050);
    // A sixth sample pushes out the first one.
    clock.sample(local + 2000, local);
    expect(clock.offsetMs()).toBe(2050);
    local += 5000;
    expect(clock.now().getTime()).toBe(local + 2050);
  });

  it('resync forgets the history', () => {
    const clock = createAgentClock({ now: () => 0 });
    for (let i = 0; i < 5; i++) clock.sample(1000, 0);
    clock.resync(-400_000, 0);
    expect(clock.offsetMs()).toBe(-400_000);
  });

  it('median of an even count is the mean of the middle two; of nothing, 0', () => {
    expect(median([1, 3, 2, 10])).toBe(2.5);
    expect(median([])).toBe(0);
  });
});
