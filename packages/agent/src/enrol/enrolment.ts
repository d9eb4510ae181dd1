// Drives enrolment (agent-protocol.md §2.2–§2.4) through the pure machine in enrol-machine.ts:
// the DPoP-proved request, polls signed with the 119-byte proof, and on approval the atomic,
// fsync'd write of GUID, site and tokens into agent.json.
import { randomBytes } from 'node:crypto';
import {
  EnrollPollResponseSchema,
  EnrollRequestResponseSchema,
  encodeB64,
  formatAgentId,
  signEnrollmentProof,
} from '@borealis/protocol/agent';
import type { DeviceKey } from '../identity/device-key';
import type { AgentLog } from '../runtime/agent-log';
import type { AgentRuntime } from '../runtime/runtime';
import type { AgentStateFile } from '../state/agent-state';
import type { AgentStore } from '../state/agent-store';
import type { AgentHttp } from '../transport/agent-http';
import { agentArch } from '../transport/user-agent';
import { AGENT_VERSION } from '../version';
import { hostFacts, type HostFacts } from './host-facts';
import { CODE_ERRORS, nextEnrolStep, type EnrolState, type EnrolStep } from './enrol-machine';
import { AgentApiError } from '../transport/agent-error';

export type EnrolOutcome = 'enrolled' | 'pending' | 'denied' | 'code_refused' | 'reauth' | 'gave_up' | 'stopped';

export interface EnrolmentDeps {
  readonly http: AgentHttp;
  readonly store: AgentStore;
  readonly state: AgentStateFile;
  readonly key: DeviceKey;
  readonly runtime: AgentRuntime;
  readonly log: AgentLog;
  readonly signal?: AbortSignal;
  /** Human progress lines (the `enroll` command prints them). */
  readonly progress?: (line: string) => void;
  readonly host?: HostFacts;
}

export interface EnrolmentOptions {
  /** `enroll --no-wait`: stop once the request is pending. */
  readonly stopWhenPending?: boolean;
  /** The CLI stops on a denial or a refused code; the daemon waits (24 h / 1 h) and tries again. */
  readonly stopOnRefusal?: boolean;
  /** Give up after this many failures in a row (CLI); the daemon never gives up. */
  readonly maxFailures?: number;
}

export async function runEnrolment(deps: EnrolmentDeps, options: EnrolmentOptions = {}): Promise<EnrolOutcome> {
  const { http, store, key, runtime, log } = deps;
  const progress = deps.progress ?? ((line: string) => log.info(line));
  const pending = (await deps.state.read()).pending_approval;
  let state: EnrolState = pending ? { name: 'polling', approval: pending, failures: 0 } : { name: 'unenrolled' };
  let waitMs = 0;
  let lastCode: string | undefined;

  while (!deps.signal?.aborted) {
    if (waitMs > 0) await runtime.sleep(waitMs, deps.signal);
    if (deps.signal?.aborted) break;
    const file = await store.load();
    // A new code written by `enroll` ends a 1 h (refused code) or 24 h (denied) wait early.
    if (lastCode !== undefined && file.enrollment_code !== lastCode && state.name === 'requesting') waitMs = 0;
    lastCode = file.enrollment_code;
    let step: EnrolStep | undefined;
    try {
      switch (state.name) {
        case 'unenrolled':
          step = nextEnrolStep(state, { kind: 'code', present: file.enrollment_code !== undefined }, runtime);
          break;
        case 'requesting': {
          if (file.enrollment_code === undefined) {
            step = nextEnrolStep({ name: 'unenrolled' }, { kind: 'code', present: false }, runtime);
            break;
          }
          const clientNonce = encodeB64(randomBytes(32));
          const host = deps.host ?? hostFacts();
          const answer = EnrollRequestResponseSchema.parse(
            (
              await http.send({
                method: 'POST',
                path: '/api/agent/enroll/request',
                body: {
                  ...host,
                  enrollment_code: file.enrollment_code,
                  agent_pubkey: key.spkiDer.toString('base64'),
                  client_nonce: clientNonce,
                  agent_version: AGENT_VERSION,
                  platform: 'linux',
                  arch: agentArch(),
                },
              })
            ).body,
          );
          const approval = { approval_reference: answer.approval_reference, server_nonce: answer.server_nonce, client_nonce: clientNonce };
          await deps.state.update((s) => ({ ...s, pending_approval: { ...approval, requested_at: new Date(runtime.now()).toISOString() } }));
          progress(answer.status === 'approved' ? 'enrolment request auto-approved' : `enrolment request sent; waiting for approval (reference ${answer.approval_reference})`);
          step = nextEnrolStep(state, { kind: 'request_ok', approval, pollAfterMs: answer.poll_after_ms }, runtime);
          if (options.stopWhenPending && answer.status === 'pending') return 'pending';
          break;
        }
        case 'polling': {
          const proof = signEnrollmentProof(key.privateKey, {
            serverNonce: state.approval.server_nonce,
            approvalReference: state.approval.approval_reference,
            clientNonce: state.approval.client_nonce,
          });
          const answer = EnrollPollResponseSchema.parse(
            (
              await http.send({
                method: 'POST',
                path: '/api/agent/enroll/poll',
                body: { approval_reference: state.approval.approval_reference, client_nonce: state.approval.client_nonce, proof_sig: proof },
              })
            ).body,
          );
          switch (answer.status) {
            case 'pending':
              step = nextEnrolStep(state, { kind: 'poll_pending', pollAfterMs: answer.poll_after_ms }, runtime);
              if (options.stopWhenPending) return 'pending';
              break;
            case 'approved': {
              const now = Date.now();
              await store.update((current) => {
                if (!current) throw new Error('agent.json disappeared during enrolment');
                const trust = current.trust?.mode === 'ca' && answer.trust_anchor_pem ? { ...current.trust, engine_ca_pem: answer.trust_anchor_pem } : current.trust;
                return {
                  ...current,
                  agent: { ...current.agent, guid: answer.guid, agent_id: answer.agent_id || formatAgentId((deps.host ?? hostFacts()).hostname, answer.guid), site_id: answer.site_id },
                  tokens: {
                    access_token: answer.access_token,
                    access_expires_at: new Date(now + answer.expires_in * 1000 - 5000).toISOString(),
                    refresh_token: answer.refresh_token,
                    refresh_expires_at: new Date(now + answer.refresh_expires_in * 1000).toISOString(),
                  },
                  trust: {
                    ...(trust ?? { mode: 'system' as const }),
                    signing_keys: [{ key_id: answer.signing_key_id, public_key_spki_b64: answer.signing_key, pinned_at: new Date(now).toISOString() }],
                  },
                };
              });
              await deps.state.update(({ pending_approval: _p, denied_at: _d, ...rest }) => ({ ...rest, site_name: answer.site_name, inventory: { hashes: {} } }));
              progress(`enrolment approved: device ${answer.guid} in site ${answer.site_name}`);
              return 'enrolled';
            }
            case 'denied':
              await deps.state.update(({ pending_approval: _p, ...rest }) => ({ ...rest, denied_at: new Date(runtime.now()).toISOString() }));
              progress(`enrolment denied (${answer.reason})`);
              if (options.stopOnRefusal) return 'denied';
              step = nextEnrolStep(state, { kind: 'poll_denied' }, runtime);
              break;
            case 'expired':
              await deps.state.update(({ pending_approval: _p, ...rest }) => rest);
              progress('enrolment request expired; sending a new one');
              step = nextEnrolStep(state, { kind: 'poll_expired' }, runtime);
              break;
            case 'completed':
              // Tokens were issued to a poll whose answer was lost: recover them by reauth (§3.5).
              await store.update((current) => {
                if (!current) throw new Error('agent.json disappeared during enrolment');
                return { ...current, agent: { ...current.agent, guid: answer.guid } };
              });
              await deps.state.update(({ pending_approval: _p, ...rest }) => rest);
              return 'reauth';
          }
          break;
        }
        case 'enrolled':
          return 'enrolled';
        case 'reauth':
          return 'reauth';
      }
    } catch (err) {
      if (state.name === 'requesting' && err instanceof AgentApiError && CODE_ERRORS.has(err.code) && options.stopOnRefusal) {
        progress(`the engine refused the enrolment code (${err.code})`);
        return 'code_refused';
      }
      step = nextEnrolStep(state, { kind: 'failed', error: err }, runtime);
      if (step.state.name === 'requesting' && state.name === 'polling') await deps.state.update(({ pending_approval: _p, ...rest }) => rest);
      const failures = step.state.name === 'requesting' || step.state.name === 'polling' ? step.state.failures : 0;
      progress(`${(err as Error).message}; next try in ${Math.round(step.waitMs / 1000)} s`);
      if (options.maxFailures !== undefined && failures >= options.maxFailures) return 'gave_up';
    }
    if (step === undefined) continue;
    state = step.state;
    waitMs = step.waitMs;
  }
  return 'stopped';
}
