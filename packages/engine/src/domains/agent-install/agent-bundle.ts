// The single-file agent (GET /api/agent/install/download/linux-agent): built from the workspace's
// @borealis/agent with esbuild on the first request and cached under the engine home, so a fresh
// engine serves it without a separate build step. Without the agent sources or esbuild it answers
// 503 with how to build it.
import { readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir } from '../../runtime-paths';
import { AppError } from '../../errors';

export interface AgentBundleSource {
  /** Bytes of borealis-agent.mjs; throws AppError('unavailable') when it cannot be had. */
  get(): Promise<Buffer>;
}

interface BundleModule {
  buildAgentBundle(options: { outfile: string }): Promise<{ outfile: string; version: string }>;
}

export const BUILD_HINT = 'The agent bundle is not available on this engine: build it with `npm run build -w @borealis/agent` (writes packages/agent/dist/borealis-agent.mjs) and make sure esbuild is installed';

export function createAgentBundleSource(deps: { readonly cacheDir: string; readonly load?: () => Promise<BundleModule> }): AgentBundleSource {
  const cacheFile = join(deps.cacheDir, 'agent', 'borealis-agent.mjs');
  // The module name is a variable so TypeScript does not pull the agent into the engine's build.
  const bundleModule = '@borealis/agent/bundle';
  const load = deps.load ?? (() => import(bundleModule) as Promise<BundleModule>);
  let building: Promise<Buffer> | undefined;

  async function build(): Promise<Buffer> {
    ensureDir(join(deps.cacheDir, 'agent'));
    const temp = `${cacheFile}.${process.pid}.tmp`;
    try {
      const bundler = await load();
      await bundler.buildAgentBundle({ outfile: temp });
      await rename(temp, cacheFile);
      return await readFile(cacheFile);
    } catch (err) {
      // A bundle built earlier (say, by a previous engine version) still beats a 503.
      const cached = await stat(cacheFile).then(() => readFile(cacheFile), () => undefined);
      if (cached) return cached;
      throw new AppError('unavailable', `${BUILD_HINT} (${(err as Error).message.split('\n')[0]})`);
    }
  }

  return {
    get() {
      // Built once per engine process: picks up the agent version this engine ships with.
      building ??= build().catch((err: unknown) => {
        building = undefined; // let a later request try again (e.g. after `npm run build`)
        throw err;
      });
      return building;
    },
  };
}
