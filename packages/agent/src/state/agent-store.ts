// agent.json as the agent's one durable record (config, identity, enrolment, tokens): validated
// reads, and read-modify-write under agent.json.lock with an atomic 0600 replacement.

import { chmod, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AgentPaths } from '../paths/agent-paths';
import type { AgentFile } from '../config/agent-file-schema';
import { readAgentFile, loadAgentFile, validateAgentFile } from '../config/load-agent-file';
import { writeFileAtomic } from './atomic-write';
import { withFileLock } from './file-lock';

/** Directory mode for /etc/borealis-agent and /var/lib/borealis-agent (§4.1: root only). */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export interface AgentStore {
  readonly paths: AgentPaths;
  /** The file, or undefined before the first enrol. */
  read(): Promise<AgentFile | undefined>;
  /** The file; a missing one is an AgentConfigError. */
  load(): Promise<AgentFile>;
  /** Applies `change` to the current file under the lock; the result is validated before it is written. */
  update(change: (current: AgentFile | undefined) => AgentFile): Promise<AgentFile>;
}

export function createAgentStore(deps: { readonly paths: AgentPaths }): AgentStore {
  const { paths } = deps;
  return Object.freeze({
    paths,
    read: () => readAgentFile(paths.configFile),
    load: () => loadAgentFile(paths.configFile),
    async update(change: (current: AgentFile | undefined) => AgentFile): Promise<AgentFile> {
      await ensurePrivateDir(paths.configDir);
      return withFileLock(paths.lockFile, async () => {
        const next = validateAgentFile(paths.configFile, change(await readAgentFile(paths.configFile)));
        await writeFileAtomic(paths.configFile, `${JSON.stringify(next, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
        return next;
      });
    },
  });
}

/** Creates `dir` (parents with default modes) and forces it to 0700 even if it already existed. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(dir, PRIVATE_DIR_MODE);
}
