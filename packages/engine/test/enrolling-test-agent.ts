// A test agent that enrols the way the real one does (agent-protocol §2.3, §2.4): its own Ed25519
// key, a fresh DPoP proof per call, the 119-byte poll proof. Talks over app.inject() or a real URL.

import { randomBytes, type KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import {
  createDpopProof,
  encodeB64,
  generateEd25519KeyPair,
  signEnrollmentProof,
  spkiB64FromKey,
  type Ed25519KeyPair,
} from '@borealis/protocol/agent';

export interface AgentReply {
  readonly status: number;
  readonly headers: Record<string, string | number | string[] | undefined>;
  // Tests read answers loosely and assert on their fields.
  readonly body: Record<string, unknown> & { error?: { code: string; message: string; details?: Array<{ path: string; message: string }>; [k: string]: unknown } };
}

export type AgentTransport = (path: string, body: unknown, headers: Record<string, string>) => Promise<AgentReply>;

/** Over app.inject(), from `ip`. */
export function injectTransport(app: FastifyInstance, ip = '10.9.0.1'): AgentTransport {
  return async (path, body, headers) => {
    const res = await app.inject({ method: 'POST', url: path, headers, payload: body as object, remoteAddress: ip });
    return { status: res.statusCode, headers: res.headers, body: res.json() };
  };
}

/** Over a real listening engine. */
export function fetchTransport(baseUrl: string): AgentTransport {
  return async (path, body, headers) => {
    const res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, headers: Object.fromEntries(res.headers), body: (await res.json()) as AgentReply['body'] };
  };
}

export interface TestAgentOptions {
  /** BOREALIS_PUBLIC_URL's origin: the base of every `htu`. */
  readonly origin: string;
  readonly transport: AgentTransport;
  readonly code: string;
  readonly hostname?: string;
  readonly keys?: Ed25519KeyPair;
  readonly clock?: { now(): Date };
}

export const ENROLL_REQUEST_PATH = '/api/agent/enroll/request';
export const ENROLL_POLL_PATH = '/api/agent/enroll/poll';

export function createTestAgent(options: TestAgentOptions) {
  const keys = options.keys ?? generateEd25519KeyPair();
  const clock = options.clock ?? { now: () => new Date() };
  let clientNonce = encodeB64(randomBytes(32));
  let last: { approval_reference: string; server_nonce: string } | undefined;

  const proof = (path: string, key: KeyObject = keys.privateKey) => createDpopProof(key, { method: 'POST', url: `${options.origin}${path}`, clock });

  const agent = {
    keys,
    pubkey: spkiB64FromKey(keys.publicKey),
    hostname: options.hostname ?? `host-${randomBytes(3).toString('hex')}`,
    get clientNonce() {
      return clientNonce;
    },
    get approvalReference() {
      return last?.approval_reference;
    },
    proof,
    /** POST enroll/request; `body` overrides fields, `dpop` replaces the proof (null sends none). */
    async request(input: { body?: Record<string, unknown>; dpop?: string | null } = {}): Promise<AgentReply> {
      clientNonce = encodeB64(randomBytes(32));
      const body = {
        hostname: agent.hostname,
        enrollment_code: options.code,
        agent_pubkey: agent.pubkey,
        client_nonce: clientNonce,
        agent_version: '0.1.0',
        platform: 'linux',
        arch: 'x64',
        ...input.body,
      };
      const dpop = input.dpop === undefined ? proof(ENROLL_REQUEST_PATH) : input.dpop;
      const reply = await options.transport(ENROLL_REQUEST_PATH, body, dpop === null ? {} : { dpop });
      if (reply.status === 200) last = { approval_reference: String(reply.body.approval_reference), server_nonce: String(reply.body.server_nonce) };
      return reply;
    },
    /** POST enroll/poll with the proof over the last request's nonces; `body` overrides fields. */
    async poll(input: { body?: Record<string, unknown>; dpop?: string | null } = {}): Promise<AgentReply> {
      if (!last) throw new Error('request first');
      const body = {
        approval_reference: last.approval_reference,
        client_nonce: clientNonce,
        proof_sig: signEnrollmentProof(keys.privateKey, { serverNonce: last.server_nonce, approvalReference: last.approval_reference, clientNonce }),
        ...input.body,
      };
      const dpop = input.dpop === undefined ? proof(ENROLL_POLL_PATH) : input.dpop;
      return options.transport(ENROLL_POLL_PATH, body, dpop === null ? {} : { dpop });
    },
  };
  return agent;
}

export type TestAgent = ReturnType<typeof createTestAgent>;
