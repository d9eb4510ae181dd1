// The agent's version: injected by the single-file build, else read from package.json.
import { readFileSync } from 'node:fs';

declare const __BOREALIS_AGENT_VERSION__: string | undefined;

function fromPackageJson(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export const AGENT_VERSION: string = typeof __BOREALIS_AGENT_VERSION__ === 'string' ? __BOREALIS_AGENT_VERSION__ : fromPackageJson();
