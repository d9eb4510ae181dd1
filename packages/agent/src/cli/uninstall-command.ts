// `borealis-agent uninstall --yes`: removes the agent's config (identity included), state and
// logs. Irreversible, hence the explicit flag. Service units are not installed by this build.

import { rm, stat } from 'node:fs/promises';
import type { AgentPaths } from '../paths/agent-paths';
import { EXIT_OK, UsageError, type CliIo } from './cli-io';

export async function uninstallCommand(paths: AgentPaths, options: { readonly isConfirmed: boolean }, io: CliIo): Promise<number> {
  const dirs = [paths.configDir, paths.stateDir, paths.logDir];
  if (!options.isConfirmed) {
    throw new UsageError(
      `uninstall deletes ${dirs.join(', ')}, including the device key; run borealis-agent uninstall --yes to confirm`,
    );
  }
  for (const dir of dirs) {
    const exists = await stat(dir).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return false;
        throw err;
      },
    );
    if (!exists) continue;
    await rm(dir, { recursive: true });
    io.out(`removed ${dir}\n`);
  }
  io.out('the agent files are removed\n');
  return EXIT_OK;
}
