// Builds the single-file agent (`dist/borealis-agent.mjs`): the CLI and every dependency in one ESM
// file that a plain `node` ≥ 20 runs, so an install needs no npm. Used by `npm run build` and by the
// engine's installer download, which builds it on first request.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_VERSION } from '../version';

export const ENTRY = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
export const DEFAULT_OUTFILE = fileURLToPath(new URL('../../dist/borealis-agent.mjs', import.meta.url));

export interface BundleResult {
  readonly outfile: string;
  readonly version: string;
}

export async function buildAgentBundle(options: { readonly outfile?: string } = {}): Promise<BundleResult> {
  const outfile = options.outfile ?? DEFAULT_OUTFILE;
  // esbuild arrives with tsx (a dependency) and as our devDependency; loaded lazily so importing
  // this module costs nothing until a build is asked for.
  const esbuild = await import('esbuild');
  await mkdir(dirname(outfile), { recursive: true });
  await esbuild.build({
    entryPoints: [ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
    // ws tries these optional native helpers inside try/catch; leave them out.
    external: ['bufferutil', 'utf-8-validate'],
    define: { __BOREALIS_AGENT_VERSION__: JSON.stringify(AGENT_VERSION) },
    banner: {
      js: [
        '#!/usr/bin/env node',
        `// borealis-agent ${AGENT_VERSION}: single-file build of @borealis/agent (AGPL-3.0-only).`,
        "import { createRequire as __borealisCreateRequire } from 'node:module';",
        'const require = __borealisCreateRequire(import.meta.url);',
      ].join('\n'),
    },
  });
  return { outfile, version: AGENT_VERSION };
}
