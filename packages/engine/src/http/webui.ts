// Serves the built WebUI (packages/webui/dist) with a single-page-app fallback: any GET for a
// non-API path that is not a file answers index.html, so deep links like /devices/X work.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const DEFAULT_WEBUI_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'webui', 'dist');

const NOT_SPA = /^\/(api|socket\.io)(\/|$)|^\/health$/;

export async function registerWebUi(app: FastifyInstance, deps: { dir: string }): Promise<{ isAvailable: boolean }> {
  const isAvailable = existsSync(join(deps.dir, 'index.html'));
  if (!isAvailable) return { isAvailable };
  await app.register(async (ui) => {
    ui.addHook('onRoute', (route) => {
      route.config = { ...route.config, auth: 'none', permission: 'public', group: 'webui' };
      route.schema = { ...route.schema, hide: true };
    });
    await ui.register(fastifyStatic, {
      root: deps.dir,
      wildcard: false,
      index: false,
      setHeaders: (reply, path) => {
        reply.header('cache-control', path.includes(`${join('dist', 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  });
  return { isAvailable };
}

/** Whether an unmatched request should get the WebUI's index.html. */
export function wantsSpaFallback(request: FastifyRequest): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && !NOT_SPA.test(request.url.split('?')[0] ?? '');
}

/** Read on each page load (rare) so a rebuilt WebUI is picked up without a restart. */
export async function sendSpaIndex(reply: FastifyReply, dir: string): Promise<FastifyReply> {
  const html = await readFile(join(dir, 'index.html'));
  return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
}
