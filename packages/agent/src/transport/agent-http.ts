// HTTPS to the engine (agent-protocol.md §1): pinned trust, keep-alive, 10 s connect / 30 s request
// timeouts, gzip above 8 KiB, and the headers of every request (Authorization DPoP, a fresh DPoP
// proof, X-Borealis-Agent-Context, User-Agent). Every response's `Date` feeds the clock offset.
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { gzipSync } from 'node:zlib';
import { AGENT_CONTEXT, createDpopProof } from '@borealis/protocol/agent';
import type { KeyObject } from 'node:crypto';
import { hasPinnedCa, type AgentTrust } from '../config/agent-file-schema';
import { checkServerUrl } from '../config/server-url';
import type { AgentClock } from '../runtime/clock-offset';
import { AgentApiError } from './agent-error';
import { tlsTrustOptions } from './tls-trust';
import { agentUserAgent } from './user-agent';

export const CONNECT_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;
/** Inventory and result uploads (§1). */
export const UPLOAD_TIMEOUT_MS = 60_000;
export const GZIP_ABOVE_BYTES = 8 * 1024;

export interface AgentRequest {
  readonly method: 'GET' | 'POST';
  /** Path under the server URL, such as `/api/agent/heartbeat`. */
  readonly path: string;
  readonly body?: unknown;
  /** Sent as `Authorization: DPoP …`, and bound into the proof's `ath`. */
  readonly accessToken?: string;
  /** The engine's `DPoP-Nonce` (reauth, §3.5). */
  readonly nonce?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

export interface AgentResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON, the text of another body, or undefined when empty. */
  readonly body: unknown;
}

export interface AgentHttp {
  readonly serverUrl: string;
  /** Resolves for any 2xx/3xx; rejects with AgentApiError otherwise. */
  send(request: AgentRequest): Promise<AgentResponse>;
  /** Headers for a websocket upgrade (GET `<server_url>/socket.io/`, §5.1). */
  upgradeHeaders(accessToken: string): Record<string, string>;
  close(): void;
}

export interface AgentHttpDeps {
  readonly serverUrl: string;
  readonly trust: AgentTrust | undefined;
  readonly privateKey: KeyObject;
  readonly clock: AgentClock;
  readonly now?: () => number;
}

export function createAgentHttp(deps: AgentHttpDeps): AgentHttp {
  // P1: http://, or an IP literal / localhost without a pinned CA, never gets a connection.
  const checked = checkServerUrl(deps.serverUrl, { hasPinnedCa: hasPinnedCa({ trust: deps.trust }) });
  if (!checked.ok) throw new AgentApiError(0, 'server_url_refused', `server_url ${checked.message}`);
  const tls = tlsTrustOptions(deps.trust);
  const agent = new HttpsAgent({ keepAlive: true, maxSockets: 4, ...tls });
  const now = deps.now ?? Date.now;
  const base = new URL(deps.serverUrl);

  function baseHeaders(method: string, url: string, accessToken: string | undefined, nonce: string | undefined): Record<string, string> {
    const dpop = createDpopProof(deps.privateKey, {
      method,
      url,
      clock: deps.clock,
      ...(accessToken === undefined ? {} : { accessToken }),
      ...(nonce === undefined ? {} : { nonce }),
    });
    return {
      ...(accessToken === undefined ? {} : { authorization: `DPoP ${accessToken}` }),
      dpop,
      'x-borealis-agent-context': AGENT_CONTEXT,
      'user-agent': agentUserAgent(),
    };
  }

  function send(req: AgentRequest): Promise<AgentResponse> {
    const url = new URL(req.path, base);
    const headers: Record<string, string> = { ...baseHeaders(req.method, url.href, req.accessToken, req.nonce), accept: 'application/json', ...req.headers };
    let payload: Buffer | undefined;
    if (req.body !== undefined) {
      payload = Buffer.from(JSON.stringify(req.body), 'utf8');
      headers['content-type'] = 'application/json';
      if (payload.byteLength > GZIP_ABOVE_BYTES) {
        payload = gzipSync(payload);
        headers['content-encoding'] = 'gzip';
      }
      headers['content-length'] = String(payload.byteLength);
    }
    const timeoutMs = req.timeoutMs ?? REQUEST_TIMEOUT_MS;
    return new Promise<AgentResponse>((resolve, reject) => {
      const started = now();
      const outgoing = httpsRequest(url, { method: req.method, headers, agent, ...tls });
      const overall = setTimeout(() => outgoing.destroy(new AgentApiError(0, 'timeout', `${req.method} ${req.path} timed out after ${timeoutMs} ms`)), timeoutMs);
      outgoing.on('socket', (socket) => {
        if (!socket.connecting) return;
        const connectTimer = setTimeout(
          () => outgoing.destroy(new AgentApiError(0, 'timeout', `connecting to ${base.host} timed out after ${CONNECT_TIMEOUT_MS} ms`)),
          CONNECT_TIMEOUT_MS,
        );
        socket.once('secureConnect', () => clearTimeout(connectTimer));
        socket.once('close', () => clearTimeout(connectTimer));
      });
      outgoing.on('error', (err) => {
        clearTimeout(overall);
        reject(err instanceof AgentApiError ? err : new AgentApiError(0, 'network', `${req.method} ${req.path}: ${err.message}`));
      });
      outgoing.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => {
          clearTimeout(overall);
          reject(new AgentApiError(0, 'network', `${req.method} ${req.path}: ${err.message}`));
        });
        res.on('end', () => {
          clearTimeout(overall);
          const dateHeader = res.headers.date ? Date.parse(res.headers.date) : Number.NaN;
          // The Date header has 1 s resolution; the midpoint of the exchange halves the error.
          if (Number.isFinite(dateHeader)) deps.clock.sample(dateHeader + 500, (started + now()) / 2);
          const status = res.statusCode ?? 0;
          const body = parseBody(Buffer.concat(chunks), res.headers['content-type']);
          if (status >= 200 && status < 400) return resolve({ status, headers: res.headers, body });
          reject(errorFromResponse(status, res.headers, body, `${req.method} ${req.path}`, now()));
        });
      });
      if (payload) outgoing.end(payload);
      else outgoing.end();
    });
  }

  return {
    serverUrl: base.origin,
    send,
    upgradeHeaders: (accessToken) => baseHeaders('GET', new URL('/socket.io/', base).href, accessToken, undefined),
    close: () => agent.destroy(),
  };
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.byteLength === 0) return undefined;
  const text = raw.toString('utf8');
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function errorFromResponse(status: number, headers: IncomingHttpHeaders, body: unknown, what: string, nowMs: number): AgentApiError {
  const envelope = (body as { error?: { code?: unknown; message?: unknown; details?: { server_time?: unknown } } } | undefined)?.error;
  const code = typeof envelope?.code === 'string' ? envelope.code : `http_${status}`;
  const message = typeof envelope?.message === 'string' ? envelope.message : `HTTP ${status}`;
  const retryAfter = headers['retry-after'];
  const retryAfterMs = retryAfter === undefined ? undefined : parseRetryAfter(retryAfter, nowMs);
  const nonce = headers['dpop-nonce'];
  const serverTime = typeof envelope?.details?.server_time === 'string' ? Date.parse(envelope.details.server_time) : headers.date ? Date.parse(headers.date) : Number.NaN;
  return new AgentApiError(status, code, `${what}: ${status} ${code}: ${message}`, {
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(typeof nonce === 'string' ? { dpopNonce: nonce } : {}),
    ...(Number.isFinite(serverTime) ? { serverTimeMs: serverTime } : {}),
  });
}

/** Retry-After in seconds or as an HTTP date. */
export function parseRetryAfter(value: string, nowMs: number): number | undefined {
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}
