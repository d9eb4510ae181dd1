// A browser-like client over app.inject(): keeps the cookies the engine sets and sends the CSRF
// header from the readable cookie on unsafe methods, as the WebUI does.

import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { totpCodeAt } from '../src/domains/auth/factors/totp';

export interface RequestOptions {
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Send the X-CSRF-Token header (default true on unsafe methods). */
  readonly csrf?: boolean;
}

export function operatorClient(app: FastifyInstance, options: { ip?: string } = {}) {
  const jar = new Map<string, string>();
  const clientIp = options.ip;
  const absorb = (res: LightMyRequestResponse) => {
    const raw = res.headers['set-cookie'];
    for (const line of Array.isArray(raw) ? raw : raw ? [raw] : []) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0/.test(line) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  };
  async function request(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, options: RequestOptions = {}) {
    const headers: Record<string, string> = { ...options.headers };
    if (jar.size && headers.cookie === undefined) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const unsafe = method !== 'GET';
    const csrf = jar.get('borealis_csrf');
    if (unsafe && options.csrf !== false && csrf && !headers['x-csrf-token']) headers['x-csrf-token'] = csrf;
    const res = await app.inject({
      method,
      url,
      headers,
      ...(clientIp ? { remoteAddress: clientIp } : {}),
      ...(options.body !== undefined ? { payload: options.body as object } : {}),
    });
    absorb(res);
    return res;
  }
  return {
    jar,
    request,
    get: (url: string, options?: RequestOptions) => request('GET', url, options),
    post: (url: string, body?: unknown, options?: RequestOptions) => request('POST', url, { ...options, body: body ?? {} }),
    delete: (url: string, options?: RequestOptions) => request('DELETE', url, options),
  };
}

export type OperatorClient = ReturnType<typeof operatorClient>;

export { totpCodeAt };
