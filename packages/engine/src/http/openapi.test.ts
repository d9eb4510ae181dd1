// GET /api/openapi.json is a valid OpenAPI 3.1 document that lists every registered route with
// its auth class; /api/docs serves the interactive docs; no route exists without an auth class.

import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_GROUPS } from '../domains/groups';
import { startTestEngine, type TestEngine } from '../../test/engine-harness';
import { AUTH_CLASSES } from './route-config';
import { toOpenApiPath } from './openapi';

describe('OpenAPI', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite' });
  });
  afterAll(() => t.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    const res = await t.engine.app!.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const validator = new Validator();
    const result = await validator.validate(res.json());
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists every registered API route with its auth class', async () => {
    const doc = (await t.engine.app!.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, { 'x-borealis-auth'?: string; responses?: Record<string, unknown> }>>;
    };
    const documented = t.engine.routes().filter((r) => !r.hidden && r.method !== 'HEAD');
    expect(documented.map((r) => r.url)).toContain('/health');
    for (const route of documented) {
      const op = doc.paths[toOpenApiPath(route.url)]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.url}`).toBeDefined();
      expect(op?.['x-borealis-auth']).toBe(route.auth);
    }
    expect(doc.paths['/health']?.get?.responses).toHaveProperty('503');
  });

  it('serves the docs UI at /api/docs', async () => {
    const res = await t.engine.app!.inject({ method: 'GET', url: '/api/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger');
  });
});

describe('route table', () => {
  it('declares an auth class on every route the engine serves', async () => {
    const t = await startTestEngine({ dialect: 'pglite' });
    try {
      const routes = t.engine.routes();
      expect(routes.length).toBeGreaterThan(3);
      for (const r of routes) expect(AUTH_CLASSES, `${r.method} ${r.url}`).toContain(r.auth);
    } finally {
      await t.close();
    }
  });

  it('refuses to start with a route that declares no permission', async () => {
    const careless = {
      name: 'careless',
      register: (app: import('fastify').FastifyInstance) => {
        app.get('/api/careless', { config: { auth: 'operator' } }, async () => ({ ok: true }));
      },
    };
    await expect(startTestEngine({ dialect: 'pglite', groups: [...API_GROUPS, careless] })).rejects.toThrow(/routes without a permission: GET \/api\/careless/);
  });

  it('refuses to start with a route that declares no auth class', async () => {
    const careless = {
      name: 'careless',
      register: (app: import('fastify').FastifyInstance) => {
        app.get('/api/careless', async () => ({ ok: true }));
      },
    };
    await expect(startTestEngine({ dialect: 'pglite', groups: [...API_GROUPS, careless] })).rejects.toThrow(/routes without an auth class: GET \/api\/careless/);
  });
});
