// `borealis-agent run`: the daemon in the foreground (systemd runs it). SIGTERM and SIGINT stop it
// cleanly: the socket is closed, timers are cancelled and the state file says disconnected.
import { runAgentDaemon } from '../daemon/agent-daemon';
import { createAgentLog, type LogLevel } from '../runtime/agent-log';
import { systemRuntime } from '../runtime/runtime';
import type { AgentStore } from '../state/agent-store';
import { ensureIdentity } from '../identity/ensure-identity';
import { EXIT_OK, type CliIo } from './cli-io';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export async function runCommand(store: AgentStore, io: CliIo): Promise<number> {
  await store.load(); // a bad config is exit 2 before anything starts
  await ensureIdentity(store);
  const wanted = io.env.BOREALIS_AGENT_LOG_LEVEL as LogLevel | undefined;
  const log = createAgentLog(io.err, wanted && LEVELS.includes(wanted) ? wanted : 'info');
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    log.info('stopping', { signal });
    controller.abort();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  log.info('agent starting', { config: store.paths.configFile, pid: process.pid });
  try {
    await runAgentDaemon({ store, runtime: systemRuntime, log, signal: controller.signal, isLogLevelPinned: wanted !== undefined && LEVELS.includes(wanted) });
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
  log.info('agent stopped');
  return EXIT_OK;
}
