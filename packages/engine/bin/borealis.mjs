#!/usr/bin/env node
// `borealis` executable: runs the engine's precompiled bundle (built on first start, rebuilt when a
// source changed; see engine-bundle.mjs), or the TypeScript CLI through tsx's loader without one.
import { pathToFileURL } from 'node:url';
import { ensureBundle } from './engine-bundle.mjs';

const bundle = await ensureBundle();
if (bundle) {
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
