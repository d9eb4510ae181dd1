// The agent table of §2.2, row by row, through the pure transition function.
import { describe, expect, it } from 'vitest';
import { manualRuntime } from '../../test/seeded-runtime';
import { AgentApiError } from '../transport/agent-error';
import { CODE_RECHECK_MS, CODE_REFUSED_WAIT_MS, DENIED_WAIT_MS, nextEnrolStep, type EnrolState } from './enrol-machine';

const runtime = manualRuntime(8);
const approval = { approval_reference: '0e3c8a52-61a4-4c3d-9d0e-4b8b4d7e5f10', server_nonce: 'AA==', client_nonce: 'AA==' };
const polling: EnrolState = { name: 'polling', approval, failures: 0 };
const requesting: EnrolState = { name: 'requesting', failures: 0 };

describe('P3/P4/P6 (agent side): enrolment state machine (§2.2)', () => {
  it('unenrolled: a code → requesting at once; none → re-read the config in 60 s', () => {
    expect(nextEnrolStep({ name: 'unenrolled' }, { kind: 'code', present: true }, runtime)).toMatchObject({ state: { name: 'requesting' }, waitMs: 0 });
    expect(nextEnrolStep({ name: 'unenrolled' }, { kind: 'code', present: false }, runtime)).toMatchObject({ state: { name: 'unenrolled' }, waitMs: CODE_RECHECK_MS });
  });

  it('requesting: 200 → polling after poll_after_ms ± 10 %', () => {
    for (let i = 0; i < 200; i++) {
      const step = nextEnrolStep(requesting, { kind: 'request_ok', approval, pollAfterMs: 3000 }, runtime);
      expect(step.state.name).toBe('polling');
      expect(step.waitMs).toBeGreaterThanOrEqual(2700);
      expect(step.waitMs).toBeLessThanOrEqual(3300);
    }
    expect(nextEnrolStep(requesting, { kind: 'request_ok', approval, pollAfterMs: 0 }, runtime).waitMs).toBe(0);
  });

  it('requesting: a 403 code error waits 1 h; 429 waits Retry-After + U(0,1 s); 5xx backs off', () => {
    for (const code of ['invalid_enrollment_code', 'enrollment_code_expired', 'code_consumed']) {
      expect(nextEnrolStep(requesting, { kind: 'failed', error: new AgentApiError(403, code, code) }, runtime)).toMatchObject({ state: { name: 'requesting' }, waitMs: CODE_REFUSED_WAIT_MS });
    }
    const limited = nextEnrolStep(requesting, { kind: 'failed', error: new AgentApiError(429, 'rate_limited', 'x', { retryAfterMs: 30_000 }) }, runtime);
    expect(limited.waitMs).toBeGreaterThanOrEqual(30_000);
    expect(limited.waitMs).toBeLessThanOrEqual(31_000);
    const down = nextEnrolStep(requesting, { kind: 'failed', error: new AgentApiError(503, 'x', 'x') }, runtime);
    expect(down.state).toMatchObject({ name: 'requesting', failures: 1 });
    expect(down.waitMs).toBeLessThanOrEqual(1000);
  });

  it('polling: pending waits again, approved → enrolled, denied → new request after 24 h', () => {
    const pending = nextEnrolStep(polling, { kind: 'poll_pending', pollAfterMs: 5000 }, runtime);
    expect(pending.state.name).toBe('polling');
    expect(pending.waitMs).toBeGreaterThanOrEqual(4500);
    expect(pending.waitMs).toBeLessThanOrEqual(5500);
    expect(nextEnrolStep(polling, { kind: 'poll_approved' }, runtime).state.name).toBe('enrolled');
    expect(nextEnrolStep(polling, { kind: 'poll_denied' }, runtime)).toMatchObject({ state: { name: 'requesting' }, waitMs: DENIED_WAIT_MS });
  });

  it('polling: expired, 404 approval_unknown and proof_invalid → requesting at once; completed → reauth', () => {
    expect(nextEnrolStep(polling, { kind: 'poll_expired' }, runtime)).toMatchObject({ state: { name: 'requesting' }, waitMs: 0 });
    expect(nextEnrolStep(polling, { kind: 'failed', error: new AgentApiError(404, 'approval_unknown', 'x') }, runtime)).toMatchObject({ state: { name: 'requesting' }, waitMs: 0 });
    expect(nextEnrolStep(polling, { kind: 'failed', error: new AgentApiError(403, 'proof_invalid', 'x') }, runtime)).toMatchObject({ state: { name: 'requesting' }, waitMs: 0 });
    expect(nextEnrolStep(polling, { kind: 'poll_completed' }, runtime).state.name).toBe('reauth');
  });

  it('polling: a network failure keeps the approval and retries the poll', () => {
    const step = nextEnrolStep(polling, { kind: 'failed', error: new AgentApiError(0, 'network', 'x') }, runtime);
    expect(step.state).toMatchObject({ name: 'polling', approval, failures: 1 });
  });

  it('enrolled: device_purged / device_not_found / fingerprint_mismatch → requesting', () => {
    expect(nextEnrolStep({ name: 'enrolled' }, { kind: 'lifecycle_reenrol' }, runtime)).toMatchObject({ state: { name: 'requesting' }, waitMs: 0 });
  });
});
