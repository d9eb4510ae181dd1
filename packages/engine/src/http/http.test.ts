// The HTTP contract every route shares: envelope, codes, request ids, headers, SPA fallback.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorEnvelopeSchema, HealthSchema } from '@borealis/protocol';
import { API_GROUPS, type ApiGroup } from '../domains/groups';
import { ConflictError } from '../errors';
import { ENGINE_VERSION } from '../version';
import { LATEST_MIGRATION } from '../db/migrations/registry';
import { startTestEngine, type TestEngine } from '../../test/engine-harness';

// A group only this test registers, to exercise validation and failures through the real stack.
const probeGroup: ApiGroup = {
  name: 'probe',
  register(app: FastifyInstance) {
    const typed = app.withTypeProvider<ZodTypeProvider>();
    typed.post(
      '/api/probe/echo',
      {
        config: { auth: 'none', permission: 'public', group: 'probe' },
        schema: {
          body: z.object({ hostname: z.string().min(1).max(253), port: z.number().int().min(1).max(65535) }),
          response: { 200: z.object({ hostname: z.string(), port: z.number() }) },
        },
      },
      async (request) => request.body,
    );
    typed.post('/api/probe/boom', { config: { auth: 'none', permission: 'public', group: 'probe' } }, async () => {
      throw new Error('secret internal detail at /srv/engine.ts:42');
    });
    typed.post('/api/probe/conflict', { config: { auth: 'none', permission: 'public', group: 'probe' } }, async () => {
      throw new ConflictError('That name is taken');
    });
  },
};

describe('HTTP contract', () => {
  let t: TestEngine;
  let app: FastifyInstance;
  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite', groups: [...API_GROUPS, probeGroup] });
    app = t.engine.app!;
  });
  afterAll(() => t.close());

  it('answers /health with 200, the version, role and a healthy database', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    const body = HealthSchema.parse(res.json());
    expect(body).toMatchObject({ status: 'ok', version: ENGINE_VERSION, role: 'all', failing: [] });
    expect(body.database).toMatchObject({ status: 'ok', dialect: 'pglite', schema_version: LATEST_MIGRATION });
  });

  it('answers an unknown /api route with 404 not_found in the envelope', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const body = ErrorEnvelopeSchema.parse(res.json());
    expect(body.error.code).toBe('not_found');
    expect(body.error.request_id).toBe(res.headers['x-request-id']);
  });

  it('rejects a body that is not JSON with 400 invalid_json', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/probe/echo', headers: { 'content-type': 'application/json' }, payload: '{"hostname": ' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_json');
  });

  it('answers a validation failure with 422 and a detail per field path', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/probe/echo', payload: { hostname: 'x'.repeat(254), port: 'eighty' } });
    expect(res.statusCode).toBe(422);
    const { error } = ErrorEnvelopeSchema.parse(res.json());
    expect(error.code).toBe('validation_failed');
    expect(error.details?.map((d) => d.path).sort()).toEqual(['hostname', 'port']);
    expect(error.message).toContain('hostname');
  });

  it('passes valid input through to the handler', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/probe/echo', payload: { hostname: 'web-01', port: 443 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ hostname: 'web-01', port: 443 });
  });

  it('keeps the code and status of a domain error', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/probe/conflict' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'conflict', message: 'That name is taken' });
  });

  it('answers an unexpected failure with 500, a request id and no internal detail', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/probe/boom' });
    expect(res.statusCode).toBe(500);
    const { error } = res.json();
    expect(error.code).toBe('internal_error');
    expect(error.request_id).toBe(res.headers['x-request-id']);
    expect(res.body).not.toContain('secret internal detail');
    expect(res.body).not.toMatch(/\.ts:\d+|at .*\(/);
  });

  it('S35: answers a JSON body of 1 MiB + 1 byte with 413 payload_too_large', async () => {
    const body = JSON.stringify({ hostname: 'x', port: 1, pad: '' });
    const res = await app.inject({ method: 'POST', url: '/api/probe/echo', headers: { 'content-type': 'application/json' }, payload: body.replace('"pad":""', `"pad":"${'x'.repeat(1024 * 1024 + 1 - body.length)}"`) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
  });

  it('puts a request id on every response and echoes a sane X-Request-Id', async () => {
    const fresh = await app.inject({ method: 'GET', url: '/health' });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await app.inject({ method: 'GET', url: '/api/nope', headers: { 'x-request-id': 'trace-12345678' } });
    expect(echoed.headers['x-request-id']).toBe('trace-12345678');
    const insane = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'bad id <script>' } });
    expect(insane.headers['x-request-id']).not.toContain('script');
  });

  it('S35: sends the hardening headers, no-store under /api/, no HSTS over plain HTTP (tls.test.ts: HSTS over HTTPS) and no CORS grant to a foreign Origin', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/nope', headers: { origin: 'https://evil.example' } });
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a Host that does not name this engine (DNS rebinding)', async () => {
    const res = await app.inject({ method: 'GET', url: '/health', headers: { host: 'evil.example:5000' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_request');
    const ok = await app.inject({ method: 'GET', url: '/health', headers: { host: 'localhost:5000' } });
    expect(ok.statusCode).toBe(200);
  });

  it('serves the WebUI for / and for deep links, but never for /api paths', async () => {
    for (const url of ['/', '/devices/anything', '/server?tab=1']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain('<div id="root">');
    }
    const api = await app.inject({ method: 'GET', url: '/api/no-such-route/anything' });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toMatch(/json/);
  });

  it('serves the built assets the index page links to', async () => {
    const index = await app.inject({ method: 'GET', url: '/' });
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(index.body)?.[1];
    expect(asset).toBeDefined();
    const res = await app.inject({ method: 'GET', url: asset! });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
  });
});

describe('without a built WebUI', () => {
  it('tells the operator how to build it instead of serving a blank page', async () => {
    const t = await startTestEngine({ dialect: 'pglite', webuiDir: '/nonexistent/webui/dist' });
    try {
      const res = await t.engine.app!.inject({ method: 'GET', url: '/server' });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.message).toContain('npm run build');
      expect((await t.engine.app!.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});
