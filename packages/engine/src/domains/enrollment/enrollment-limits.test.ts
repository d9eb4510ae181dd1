// Enrolment rate limits on a manual clock (agent-protocol §10): address, key and reference budgets,
// the wrong-code block, and the benchmark exemption BOREALIS_ENROLL_RATE_EXEMPT_CIDRS.

import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../clock';
import { loadConfig } from '../../config';
import { RateLimitedError } from '../../errors';
import { createEnrollmentLimits } from './enrollment-limits';

const start = '2026-11-26T06:00:00Z';

describe('enrolment limits', () => {
  it('allows 20 polls a minute per reference and 600 per address', () => {
    const clock = createManualClock(start);
    const limits = createEnrollmentLimits({ clock });
    for (let i = 0; i < 20; i += 1) limits.pollByReference('ref-a');
    expect(() => limits.pollByReference('ref-a')).toThrow(RateLimitedError);
    limits.pollByReference('ref-b');
    for (let i = 0; i < 600; i += 1) limits.pollByAddress('192.0.2.7');
    expect(() => limits.pollByAddress('192.0.2.7')).toThrow(RateLimitedError);
    clock.advance(60_000);
    expect(() => limits.pollByAddress('192.0.2.7')).not.toThrow();
  });

  it('counts an IPv6 /64 as one address', () => {
    const limits = createEnrollmentLimits({ clock: createManualClock(start) });
    for (let i = 0; i < 40; i += 1) limits.requestByAddress(`2001:db8:1:2::${i.toString(16)}`);
    expect(() => limits.requestByAddress('2001:db8:1:2::ffff')).toThrow(RateLimitedError);
  });

  it('blocks an address for 15 min after 10 wrong codes in 10 min, and not after 9', () => {
    const clock = createManualClock(start);
    const limits = createEnrollmentLimits({ clock });
    for (let i = 0; i < 9; i += 1) limits.noteWrongCode('198.51.100.1');
    expect(() => limits.requestByAddress('198.51.100.1')).not.toThrow();
    clock.advance(10 * 60_000);
    limits.noteWrongCode('198.51.100.1');
    expect(() => limits.requestByAddress('198.51.100.1')).not.toThrow();
    for (let i = 0; i < 9; i += 1) limits.noteWrongCode('198.51.100.1');
    expect(() => limits.requestByAddress('198.51.100.1')).toThrow(RateLimitedError);
    clock.advance(15 * 60_000);
    expect(() => limits.requestByAddress('198.51.100.1')).not.toThrow();
  });

  it('exempts the configured blocks from the per-address limits only', () => {
    const clock = createManualClock(start);
    const limits = createEnrollmentLimits({ clock, exemptCidrs: ['10.0.0.0/8', 'fd00::/8'] });
    for (let i = 0; i < 1000; i += 1) {
      limits.requestByAddress('10.1.2.3');
      limits.requestByAddress('::ffff:10.1.2.4');
      limits.pollByAddress('fd12::1');
    }
    for (let i = 0; i < 12; i += 1) limits.requestByFingerprint('f'.repeat(64));
    expect(() => limits.requestByFingerprint('f'.repeat(64))).toThrow(RateLimitedError);
    for (let i = 0; i < 40; i += 1) limits.requestByAddress('11.0.0.1');
    expect(() => limits.requestByAddress('11.0.0.1')).toThrow(RateLimitedError);
  });

  it('reads BOREALIS_ENROLL_RATE_EXEMPT_CIDRS and refuses a malformed block', () => {
    expect(loadConfig({ env: { BOREALIS_ENROLL_RATE_EXEMPT_CIDRS: '10.0.0.0/8, 192.0.2.1' } }).enrollRateExemptCidrs).toEqual(['10.0.0.0/8', '192.0.2.1']);
    expect(() => loadConfig({ env: { BOREALIS_ENROLL_RATE_EXEMPT_CIDRS: '10.0.0.0/33' } })).toThrow(/BOREALIS_ENROLL_RATE_EXEMPT_CIDRS/);
  });
});
