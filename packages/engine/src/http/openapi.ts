// OpenAPI 3.1 generated from the zod route schemas, served at /api/openapi.json, with the
// interactive docs at /api/docs. Each operation carries its auth class and permission.

import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { RegisteredRoute } from './route-config';

const SECURITY_BY_AUTH: Record<string, Array<Record<string, string[]>>> = {
  none: [],
  operator: [{ session: [], csrf: [] }],
  'operator-admin': [{ session: [], csrf: [] }],
  device: [{ dpop: [] }],
  'device-or-operator': [{ dpop: [] }, { session: [], csrf: [] }],
  'device-refresh': [{ dpop: [] }],
  internal: [{ internal: [] }],
};

export async function registerOpenApi(app: FastifyInstance, deps: { version: string; routes: () => readonly RegisteredRoute[] }): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Borealis Engine API',
        version: deps.version,
        description: 'REST API of the Borealis Engine. Errors use one envelope: {"error": {code, message, details?, request_id}}.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'borealis_session' },
          csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
          dpop: { type: 'http', scheme: 'DPoP', description: 'Authorization: DPoP <access JWT> plus a DPoP proof header' },
          internal: { type: 'apiKey', in: 'header', name: 'X-Borealis-Internal-Token' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: (documentObject) => {
      const doc = jsonSchemaTransformObject(documentObject) as { paths?: Record<string, Record<string, Record<string, unknown>>> };
      annotateOperations(doc.paths ?? {}, deps.routes());
      return doc as ReturnType<typeof jsonSchemaTransformObject>;
    },
  });

  await app.register(async (docs) => {
    // The docs UI's own static routes are public and not part of the API description.
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, auth: 'none', permission: 'public', group: 'core' };
    });
    await docs.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: false });
  });

  app.get('/api/openapi.json', { schema: { hide: true }, config: { auth: 'none', permission: 'public', group: 'core' } }, async () => app.swagger());
}

function annotateOperations(paths: Record<string, Record<string, Record<string, unknown>>>, routes: readonly RegisteredRoute[]): void {
  const byKey = new Map(routes.map((r) => [`${r.method.toLowerCase()} ${toOpenApiPath(r.url)}`, r]));
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const route = byKey.get(`${method} ${path}`);
      if (!route) continue;
      operation['x-borealis-auth'] = route.auth;
      if (route.permission) operation['x-borealis-permission'] = route.permission;
      if (route.group && !operation.tags) operation.tags = [route.group];
      operation.security = SECURITY_BY_AUTH[route.auth] ?? [];
    }
  }
}

export function toOpenApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
