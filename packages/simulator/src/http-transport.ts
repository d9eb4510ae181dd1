// HTTPS for the virtual agents: keep-alive connection pools per local source address (one loopback
// address gives only ~28k ports towards one destination, §11), the engine CA pinned when given,
// JSON bodies, gzip above 8 KiB (§1), and the 30 s / 60 s request timeouts.

import { Agent, request, type AgentOptions } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { gzipSync } from 'node:zlib';

export interface HttpReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON, or null for an empty or non-JSON body. */
  readonly body: unknown;
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /**
   * A function is called only when a connection slot is free, right before the request goes out:
   * a DPoP proof made earlier could sit in a queue past the engine's ±60 s `iat` window.
   */
  readonly headers: Record<string, string> | (() => Record<string, string>);
  readonly body?: unknown;
  readonly localAddress?: string;
  readonly timeoutMs?: number;
}

export interface HttpTransport {
  readonly origin: string;
  send(req: HttpRequest): Promise<HttpReply>;
  close(): void;
}

export const GZIP_ABOVE_BYTES = 8 * 1024;

export function createHttpTransport(options: { readonly origin: string; readonly ca?: string; readonly maxSocketsPerAddress?: number }): HttpTransport {
  const url = new URL(options.origin);
  const pools = new Map<string, Agent>();
  const maxInFlight = options.maxSocketsPerAddress ?? 32;
  /** Requests in flight and waiting, per source address: the queue lives here, not in the Agent. */
  const slots = new Map<string, { busy: number; waiting: Array<() => void> }>();
  const acquire = (key: string): Promise<void> => {
    let slot = slots.get(key);
    if (!slot) slots.set(key, (slot = { busy: 0, waiting: [] }));
    if (slot.busy < maxInFlight) {
      slot.busy += 1;
      return Promise.resolve();
    }
    const s = slot;
    return new Promise((resolve) => s.waiting.push(resolve));
  };
  const release = (key: string) => {
    const slot = slots.get(key);
    if (!slot) return; // closed meanwhile
    const next = slot.waiting.shift();
    if (next) next();
    else slot.busy -= 1;
  };
  const poolFor = (localAddress: string | undefined) => {
    const key = localAddress ?? '';
    let agent = pools.get(key);
    if (!agent) {
      const agentOptions: AgentOptions & { localAddress?: string } = {
        keepAlive: true,
        maxSockets: maxInFlight,
        ...(options.ca ? { ca: options.ca } : {}),
        ...(localAddress ? { localAddress } : {}),
      };
      agent = new Agent(agentOptions);
      pools.set(key, agent);
    }
    return agent;
  };

  const sendNow = (req: HttpRequest) =>
    new Promise<HttpReply>((resolve, reject) => {
      const headers: Record<string, string> = { ...(typeof req.headers === 'function' ? req.headers() : req.headers), accept: 'application/json' };
      let payload: Buffer | undefined;
      if (req.body !== undefined) {
        payload = Buffer.from(JSON.stringify(req.body));
        headers['content-type'] = 'application/json';
        if (payload.byteLength > GZIP_ABOVE_BYTES) {
          payload = gzipSync(payload);
          headers['content-encoding'] = 'gzip';
        }
        headers['content-length'] = String(payload.byteLength);
      }
      const r = request({ host: url.hostname, port: url.port || 443, method: req.method, path: req.path, headers, agent: poolFor(req.localAddress) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = null;
          if (text) {
            try {
              body = JSON.parse(text);
            } catch {
              body = null; // a proxy's HTML error page: the status says enough
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
        res.on('error', reject);
      });
      r.setTimeout(req.timeoutMs ?? 30_000, () => r.destroy(new Error('request timed out')));
      r.on('error', reject);
      r.end(payload);
    });

  return {
    origin: options.origin,
    async send(req) {
      const key = req.localAddress ?? '';
      await acquire(key);
      try {
        return await sendNow(req);
      } finally {
        release(key);
      }
    },
    close() {
      for (const agent of pools.values()) agent.destroy();
      pools.clear();
      slots.clear();
    },
  };
}
