// Per-node rate limits of the enrolment routes (agent-protocol §2.3, §2.4, §10): request and poll
// budgets per address, fingerprint and reference, and the wrong-code block (10 in 10 min → 15 min).

import { BlockList, isIP } from 'node:net';
import type { Clock } from '../../clock';
import { RateLimitedError } from '../../errors';
import { addressKey, createRequestBudgets } from '../auth/throttle';

export const ENROLL_LIMITS = Object.freeze({
  requestPerAddress: 40,
  requestPerFingerprint: 12,
  pollPerReference: 20,
  pollPerAddress: 600,
  wrongCodes: 10,
  wrongCodeWindowMs: 10 * 60_000,
  wrongCodeBlockMs: 15 * 60_000,
});

export interface EnrollmentLimits {
  /** Check 1 of a request: the address budget, and the wrong-code block. */
  requestByAddress(ip: string): void;
  requestByFingerprint(fingerprint: string): void;
  pollByAddress(ip: string): void;
  pollByReference(reference: string): void;
  /** Counts one wrong code from `ip`; the 10th within 10 min blocks the address for 15 min. */
  noteWrongCode(ip: string): void;
}

/** A BlockList of `BOREALIS_ENROLL_RATE_EXEMPT_CIDRS` (validated by config.ts). */
export function exemptAddresses(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix] = cidr.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

function isExempt(list: BlockList, ip: string): boolean {
  const bare = ip.replace(/^::ffff:/, '');
  const type = isIP(bare) === 6 ? 'ipv6' : 'ipv4';
  return isIP(bare) !== 0 && list.check(bare, type);
}

export function createEnrollmentLimits(deps: { readonly clock: Clock; readonly exemptCidrs?: readonly string[] }): EnrollmentLimits {
  const budgets = createRequestBudgets({ clock: deps.clock });
  const exempt = exemptAddresses(deps.exemptCidrs ?? []);
  const wrongCodes = new Map<string, number[]>();
  const blockedUntil = new Map<string, number>();

  const assertNotBlocked = (key: string) => {
    const until = blockedUntil.get(key);
    const now = deps.clock.now().getTime();
    if (until === undefined) return;
    if (until <= now) {
      blockedUntil.delete(key);
      return;
    }
    throw new RateLimitedError(Math.max(1, Math.ceil((until - now) / 1000)));
  };

  return {
    requestByAddress(ip) {
      // Benchmarks enrol thousands of simulated agents from a few addresses.
      if (isExempt(exempt, ip)) return;
      const key = addressKey(ip, 'enroll');
      assertNotBlocked(key);
      budgets.take(`${key}:request`, ENROLL_LIMITS.requestPerAddress);
    },
    requestByFingerprint(fingerprint) {
      budgets.take(`enroll-key:${fingerprint}`, ENROLL_LIMITS.requestPerFingerprint);
    },
    pollByAddress(ip) {
      if (isExempt(exempt, ip)) return;
      budgets.take(`${addressKey(ip, 'enroll')}:poll`, ENROLL_LIMITS.pollPerAddress);
    },
    pollByReference(reference) {
      budgets.take(`enroll-ref:${reference}`, ENROLL_LIMITS.pollPerReference);
    },
    noteWrongCode(ip) {
      const key = addressKey(ip, 'enroll');
      const now = deps.clock.now().getTime();
      const recent = (wrongCodes.get(key) ?? []).filter((t) => now - t < ENROLL_LIMITS.wrongCodeWindowMs);
      recent.push(now);
      if (recent.length >= ENROLL_LIMITS.wrongCodes) {
        blockedUntil.set(key, now + ENROLL_LIMITS.wrongCodeBlockMs);
        wrongCodes.delete(key);
      } else {
        wrongCodes.set(key, recent);
      }
      // Bound memory under a spray of addresses: forget windows that have closed.
      if (wrongCodes.size > 50_000) for (const [k, times] of wrongCodes) if (times.every((t) => now - t >= ENROLL_LIMITS.wrongCodeWindowMs)) wrongCodes.delete(k);
    },
  };
}
