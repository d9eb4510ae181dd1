// The agent side of the enrolment state machine (agent-protocol.md §2.2) as a pure transition
// function: state + event → next state and how long to wait. The driver (enrolment.ts) performs
// the I/O; tests walk every row of the table without a network.
import { retryDelay } from '../auth/backoff';
import { uniform, type AgentRuntime } from '../runtime/runtime';
import { AgentApiError } from '../transport/agent-error';

export const CODE_RECHECK_MS = 60_000;
export const CODE_REFUSED_WAIT_MS = 3_600_000;
export const DENIED_WAIT_MS = 86_400_000;
export const CODE_ERRORS: ReadonlySet<string> = new Set(['invalid_enrollment_code', 'enrollment_code_expired', 'code_consumed']);

export interface PendingApproval {
  readonly approval_reference: string;
  readonly server_nonce: string;
  readonly client_nonce: string;
}

export type EnrolState =
  | { readonly name: 'unenrolled' }
  | { readonly name: 'requesting'; readonly failures: number }
  | { readonly name: 'polling'; readonly approval: PendingApproval; readonly failures: number }
  | { readonly name: 'enrolled' }
  | { readonly name: 'reauth' };

export type EnrolEvent =
  | { readonly kind: 'code'; readonly present: boolean }
  | { readonly kind: 'request_ok'; readonly approval: PendingApproval; readonly pollAfterMs: number }
  | { readonly kind: 'poll_pending'; readonly pollAfterMs: number }
  | { readonly kind: 'poll_approved' }
  | { readonly kind: 'poll_denied' }
  | { readonly kind: 'poll_expired' }
  | { readonly kind: 'poll_completed' }
  | { readonly kind: 'failed'; readonly error: unknown }
  | { readonly kind: 'lifecycle_reenrol' };

export interface EnrolStep {
  readonly state: EnrolState;
  readonly waitMs: number;
  /** Why the driver waits; shown as a progress line by `enroll`. */
  readonly note?: string;
}

/** poll_after_ms ± 10 % (§2.2). */
export function pollWait(pollAfterMs: number, runtime: Pick<AgentRuntime, 'random'>): number {
  return Math.max(0, pollAfterMs * uniform(runtime, 0.9, 1.1));
}

export function nextEnrolStep(state: EnrolState, event: EnrolEvent, runtime: Pick<AgentRuntime, 'random'>): EnrolStep {
  switch (event.kind) {
    case 'code':
      return event.present ? { state: { name: 'requesting', failures: 0 }, waitMs: 0 } : { state: { name: 'unenrolled' }, waitMs: CODE_RECHECK_MS, note: 'no enrolment code configured' };
    case 'lifecycle_reenrol':
      return { state: { name: 'requesting', failures: 0 }, waitMs: 0 };
    case 'request_ok':
      return { state: { name: 'polling', approval: event.approval, failures: 0 }, waitMs: pollWait(event.pollAfterMs, runtime) };
    case 'poll_pending':
      if (state.name !== 'polling') return { state, waitMs: 0 };
      return { state: { ...state, failures: 0 }, waitMs: pollWait(event.pollAfterMs, runtime), note: 'waiting for approval' };
    case 'poll_approved':
      return { state: { name: 'enrolled' }, waitMs: 0 };
    case 'poll_denied':
      return { state: { name: 'requesting', failures: 0 }, waitMs: DENIED_WAIT_MS, note: 'denied by an operator' };
    case 'poll_expired':
      return { state: { name: 'requesting', failures: 0 }, waitMs: 0, note: 'approval expired' };
    case 'poll_completed':
      return { state: { name: 'reauth' }, waitMs: 0 };
    case 'failed':
      return afterFailure(state, event.error, runtime);
  }
}

function afterFailure(state: EnrolState, error: unknown, runtime: Pick<AgentRuntime, 'random'>): EnrolStep {
  const code = error instanceof AgentApiError ? error.code : 'internal';
  if (state.name === 'polling' && (code === 'approval_unknown' || code === 'proof_invalid' || (error instanceof AgentApiError && error.status === 404))) {
    return { state: { name: 'requesting', failures: 0 }, waitMs: 0, note: `poll refused (${code})` };
  }
  if (state.name === 'requesting' && CODE_ERRORS.has(code)) {
    return { state: { name: 'requesting', failures: 0 }, waitMs: CODE_REFUSED_WAIT_MS, note: `enrolment code refused (${code})` };
  }
  const failures = state.name === 'requesting' || state.name === 'polling' ? state.failures + 1 : 1;
  // 429 and 5xx/network: §3.3 waits; the try count caps at 5 and then stays at the 60 s cap.
  const wait = retryDelay(error, Math.min(failures, 7), runtime) ?? CODE_REFUSED_WAIT_MS;
  const next: EnrolState = state.name === 'polling' ? { ...state, failures } : { name: 'requesting', failures };
  return { state: next, waitMs: wait, note: `${code}; retrying` };
}
