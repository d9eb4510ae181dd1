// `borealis-agent uninstall --yes`: stops and removes the systemd unit when installed, then the
// agent's program files, config (identity included), state and logs. Irreversible, hence --yes.
import { execFile } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentPaths } from '../paths/agent-paths';
import { EXIT_OK, UsageError, type CliIo } from './cli-io';

export const UNIT_NAME = 'borealis-agent.service';

function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
}

function systemctl(args: readonly string[]): Promise<void> {
  return new Promise((resolve) => execFile('systemctl', [...args], { timeout: 30_000 }, () => resolve()));
}

export async function uninstallCommand(paths: AgentPaths, options: { readonly isConfirmed: boolean }, io: CliIo): Promise<number> {
  const unitFile = join(paths.root, 'etc', 'systemd', 'system', UNIT_NAME);
  const programDir = join(paths.root, 'opt', 'borealis-agent');
  const launcher = join(paths.root, 'usr', 'local', 'bin', 'borealis-agent');
  const dirs = [paths.configDir, paths.stateDir, paths.logDir];
  if (!options.isConfirmed) {
    throw new UsageError(
      `uninstall deletes ${dirs.join(', ')}, including the device key, and the service; run borealis-agent uninstall --yes to confirm`,
    );
  }
  if (await exists(unitFile)) {
    // Only the real root has a systemd to talk to; a BOREALIS_AGENT_ROOT tree just loses the file.
    if (paths.root === '/') await systemctl(['disable', '--now', UNIT_NAME]);
    await rm(unitFile);
    if (paths.root === '/') await systemctl(['daemon-reload']);
    io.out(`removed ${unitFile}\n`);
  }
  for (const path of [...dirs, programDir, launcher]) {
    if (!(await exists(path))) continue;
    await rm(path, { recursive: true });
    io.out(`removed ${path}\n`);
  }
  io.out('the agent files are removed\n');
  return EXIT_OK;
}
