// The engine as one precompiled ES module (packages/engine/dist/borealis.mjs), built with esbuild on
// the first start and rebuilt when any of its source files changed: loading ~270 TypeScript files
// through tsx took 30-40 s on a busy 2-core host, the bundle loads in 1-3 s (docs/benchmarks.md).
// npm packages stay external (node_modules as installed); only our workspace sources are bundled.

import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ENGINE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = join(ENGINE_DIR, 'src', 'cli', 'main.ts');
export const BUNDLE_FILE = join(ENGINE_DIR, 'dist', 'borealis.mjs');
/** The bundle's inputs (absolute paths) and the build's own version, to tell when it is stale. */
const INPUTS_FILE = join(ENGINE_DIR, 'dist', 'borealis.inputs.json');
const FORMAT = 1;

function mtimeOf(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Infinity; // a vanished input means the import graph changed
  }
}

/** True when the bundle exists and no input is newer than it. */
export function bundleIsCurrent() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(INPUTS_FILE, 'utf8'));
  } catch {
    return false;
  }
  if (manifest.format !== FORMAT || !Array.isArray(manifest.inputs)) return false;
  const builtAt = mtimeOf(BUNDLE_FILE);
  if (!Number.isFinite(builtAt)) return false;
  return manifest.inputs.every((path) => mtimeOf(path) <= builtAt);
}

/**
 * Each source keeps its own `import.meta.url` (paths next to the sources: migrations lock, WebUI
 * dist, official assemblies, install script), so the bundle behaves like the sources under tsx.
 */
const ownMetaUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
      loader: 'ts',
    }));
  },
};

/** npm packages are loaded from node_modules; workspace packages (`@borealis/*`, TypeScript sources) are bundled. */
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@borealis/') ? undefined : { path: args.path, external: true }));
  },
};

export async function buildBundle() {
  const { build } = await import('esbuild');
  mkdirSync(dirname(BUNDLE_FILE), { recursive: true });
  // Written beside and renamed, so engines starting together never load a half-written file.
  const temp = `${BUNDLE_FILE}.${process.pid}.tmp.mjs`;
  const result = await build({
    entryPoints: [ENTRY],
    outfile: temp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    absWorkingDir: ENGINE_DIR,
    metafile: true,
    logLevel: 'error',
    plugins: [externalPackages, ownMetaUrl],
  });
  const inputs = Object.keys(result.metafile.inputs).map((p) => resolve(ENGINE_DIR, p));
  // The map keeps the name it was written under; point the bundle at it by its final name.
  renameSync(`${temp}.map`, `${BUNDLE_FILE}.map`);
  writeFileSync(temp, readFileSync(temp, 'utf8').replace(/sourceMappingURL=.*$/m, `sourceMappingURL=${BUNDLE_FILE.split('/').pop()}.map`));
  renameSync(temp, BUNDLE_FILE);
  const manifestTemp = `${INPUTS_FILE}.${process.pid}.tmp`;
  writeFileSync(manifestTemp, JSON.stringify({ format: FORMAT, inputs }));
  renameSync(manifestTemp, INPUTS_FILE);
  return BUNDLE_FILE;
}

/**
 * The bundle's path, built first when missing or stale; null when it cannot be had (no esbuild, a
 * read-only checkout, BOREALIS_ENGINE_BUNDLE=0): the caller then runs the sources through tsx.
 */
export async function ensureBundle() {
  if (process.env.BOREALIS_ENGINE_BUNDLE === '0') return null;
  if (bundleIsCurrent()) return BUNDLE_FILE;
  try {
    return await buildBundle();
  } catch (err) {
    process.stderr.write(`borealis: running from sources (the engine bundle could not be built: ${String(err?.message ?? err).split('\n')[0]})\n`);
    return null;
  }
}
