// GET /api/agent/install/download/:platform (routes.tsv, auth none, group agent): `linux` is the
// installer script with this engine's origin and CA embedded, `linux-agent` the single-file agent
// it downloads. Rate-limited per address; the WebUI shows the curl one-liner that fetches `linux`.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../errors';
import type { AgentBundleSource } from './agent-bundle';
import { loadInstallScript } from './install-script';

export const INSTALL_PLATFORMS = ['linux', 'linux-agent'] as const;

export interface AgentInstallDeps {
  /** The agent origin agents sign DPoP `htu` against (`deviceTrust.origin()`). */
  readonly origin: () => string;
  /** The engine's local CA PEM (`ctx.agentTrust?.caPem`), or null. */
  readonly caPem: () => string | null;
  readonly bundle: AgentBundleSource;
}

export function registerAgentInstallRoutes(app: FastifyInstance, deps: AgentInstallDeps): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/agent/install/download/:platform',
    {
      config: { auth: 'none', permission: 'public', group: 'agent', rateLimit: 'agent_install' },
      schema: {
        summary: 'Download the agent installer or the agent',
        description:
          '`linux`: install.sh with this engine\'s URL and CA embedded (run as root with `--site-enrollment-code CODE`). `linux-agent`: the single-file agent (Node.js ≥ 20) the installer fetches. 503 `unavailable` when the agent bundle cannot be built on this engine.',
        params: z.object({ platform: z.string().max(32) }),
      },
    },
    async (request, reply) => {
      const { platform } = request.params;
      reply.header('cache-control', 'no-store');
      if (platform === 'linux') {
        const script = await loadInstallScript({ serverUrl: deps.origin(), caPem: deps.caPem() });
        return reply
          .type('text/x-shellscript; charset=utf-8')
          .header('content-disposition', 'attachment; filename="borealis-agent-install.sh"')
          .send(script);
      }
      if (platform === 'linux-agent') {
        const bundle = await deps.bundle.get();
        return reply
          .type('text/javascript; charset=utf-8')
          .header('content-disposition', 'attachment; filename="borealis-agent.mjs"')
          .send(bundle);
      }
      throw new NotFoundError(`No installer for platform "${platform}"; use one of ${INSTALL_PLATFORMS.join(', ')}`);
    },
  );
}
