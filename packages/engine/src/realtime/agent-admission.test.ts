// §5.1 admission: the burst goes at once, a short paced queue waits for the tokens the rate will
// bring, and only arrivals past that queue are refused server_busy with a retry of 5–60 s.

import { describe, expect, it } from 'vitest';
import { createManualClock } from '../clock';
import { createAdmission, type AdmissionAnswer } from './agent-admission';

const waits = (answers: AdmissionAnswer[]) => answers.map((a) => (a.ok ? a.waitMs : 'refused'));

describe('agent admission', () => {
  it('admits the burst at once, paces the next second of arrivals, refuses the rest with U(5 s, 60 s)', () => {
    const clock = createManualClock('2026-11-26T06:00:00Z');
    const admission = createAdmission({ clock, ratePerSecond: 4, burst: 2, queueMs: 1_000, random: () => 0.5 });
    const answers = Array.from({ length: 7 }, () => admission.admit());
    // Burst 2 now; 4 more owed at 4/s (250 ms apart); the 7th would wait past the 1 s queue.
    expect(waits(answers)).toEqual([0, 0, 250, 500, 750, 1_000, 'refused']);
    expect(answers[6]).toEqual({ ok: false, retryAfterMs: 32_500 });
  });

  it('refills at the rate: a second later the owed tokens are paid back and the queue is open again', () => {
    const clock = createManualClock('2026-11-26T06:00:00Z');
    const admission = createAdmission({ clock, ratePerSecond: 4, burst: 2, queueMs: 1_000 });
    for (let i = 0; i < 6; i += 1) expect(admission.admit().ok).toBe(true);
    expect(admission.admit().ok).toBe(false);
    clock.advance(1_000);
    // 4 tokens refilled pay the 4 owed; the bucket is empty, so the next arrival waits one interval.
    expect(waits([admission.admit()])).toEqual([250]);
    clock.advance(10_000);
    expect(waits([admission.admit(), admission.admit(), admission.admit()])).toEqual([0, 0, 250]);
  });

  it('with no queue (0 ms) refuses right past the burst, as §5.1 reads literally', () => {
    const clock = createManualClock('2026-11-26T06:00:00Z');
    const admission = createAdmission({ clock, ratePerSecond: 1_000, queueMs: 0 });
    const answers = Array.from({ length: 201 }, () => admission.admit());
    expect(answers.slice(0, 200).every((a) => a.ok && a.waitMs === 0)).toBe(true);
    const last = answers[200]!;
    expect(last.ok).toBe(false);
    if (!last.ok) {
      expect(last.retryAfterMs).toBeGreaterThanOrEqual(5_000);
      expect(last.retryAfterMs).toBeLessThanOrEqual(60_000);
    }
  });

  it('at the default 1,000/s with a 1 s queue, a stalled second of 1,200 upgrades is admitted, not refused', () => {
    const clock = createManualClock('2026-11-26T06:00:00Z');
    const admission = createAdmission({ clock, ratePerSecond: 1_000, queueMs: 1_000 });
    const answers = Array.from({ length: 1_201 }, () => admission.admit());
    expect(answers.slice(0, 1_200).every((a) => a.ok)).toBe(true);
    expect(Math.max(...answers.slice(0, 1_200).map((a) => (a.ok ? a.waitMs : 0)))).toBe(1_000);
    expect(answers[1_200]!.ok).toBe(false);
  });
});
