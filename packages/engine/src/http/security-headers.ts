// HTTP hardening on every response (security.md §10): fixed security headers, no-store under
// /api/, HSTS only over HTTPS, and a Host check against DNS rebinding.

import type { IncomingMessage } from 'node:http';
import { networkInterfaces, hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { isLoopbackHost, type EngineConfig } from '../config';
import { sendError } from './error-handler';

const FIXED_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

export function installSecurityHeaders(app: FastifyInstance, deps: { isHttps: boolean; isHostAllowed: (req: IncomingMessage) => boolean }): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (!deps.isHostAllowed(request.raw)) {
      return sendError(reply, request, 400, 'invalid_request', 'The Host header does not name this engine');
    }
  });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.headers(FIXED_HEADERS);
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    if (deps.isHttps) reply.header('strict-transport-security', 'max-age=31536000');
    reply.removeHeader('x-powered-by');
    return payload;
  });
}

/** Host names a request may address: public URL host, bind address, and loopback names on loopback. */
export function createHostCheck(config: EngineConfig): (req: IncomingMessage) => boolean {
  const allowed = new Set<string>();
  const add = (h: string) => allowed.add(h.toLowerCase().replace(/^\[|\]$/g, ''));
  if (config.publicUrl) add(new URL(config.publicUrl).hostname);
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  if (!wildcard) add(config.host);
  if (wildcard || isLoopbackHost(config.host)) {
    ['localhost', '127.0.0.1', '::1'].forEach(add);
  }
  if (wildcard) {
    // Bound to every interface: any of this machine's own names and addresses is legitimate.
    add(hostname());
    for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) add(i.address);
  }
  return (req) => {
    const header = req.headers.host;
    if (!header) return false;
    const host = header.startsWith('[') ? header.slice(1, header.indexOf(']')) : header.replace(/:\d+$/, '');
    return allowed.has(host.toLowerCase());
  };
}
