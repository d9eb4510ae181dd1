// Where the agent keeps its files (agent-protocol.md §4.1), under an optional root so tests and
// packaging dry runs work unprivileged: BOREALIS_AGENT_ROOT=/tmp/x gives /tmp/x/etc/borealis-agent.

import { isAbsolute, join, resolve } from 'node:path';

export const ROOT_ENV_VARIABLE = 'BOREALIS_AGENT_ROOT';
export const CONFIG_FILE_NAME = 'agent.json';

export interface AgentPaths {
  /** `/` unless BOREALIS_AGENT_ROOT is set. */
  readonly root: string;
  /** `/etc/borealis-agent`, mode 0700. */
  readonly configDir: string;
  /** `/etc/borealis-agent/agent.json`, mode 0600: config, identity, enrolment and tokens. */
  readonly configFile: string;
  /** `agent.json.lock`: held while agent.json is rewritten. */
  readonly lockFile: string;
  /** `/var/lib/borealis-agent`: journal and job directories. */
  readonly stateDir: string;
  /** `/var/log/borealis-agent`. */
  readonly logDir: string;
}

/** Thrown when BOREALIS_AGENT_ROOT is unusable; the CLI exits 2. */
export class AgentPathsError extends Error {
  override readonly name = 'AgentPathsError';
}

export function resolveAgentPaths(env: Readonly<Record<string, string | undefined>>): AgentPaths {
  const raw = env[ROOT_ENV_VARIABLE];
  if (raw !== undefined && raw !== '' && !isAbsolute(raw)) {
    throw new AgentPathsError(`${ROOT_ENV_VARIABLE} must be an absolute path (got ${JSON.stringify(raw)})`);
  }
  const root = raw ? resolve(raw) : '/';
  const configDir = join(root, 'etc', 'borealis-agent');
  const configFile = join(configDir, CONFIG_FILE_NAME);
  return Object.freeze({
    root,
    configDir,
    configFile,
    lockFile: `${configFile}.lock`,
    stateDir: join(root, 'var', 'lib', 'borealis-agent'),
    logDir: join(root, 'var', 'log', 'borealis-agent'),
  });
}
