// The `borealis-agent` command line: enroll, run, status, uninstall, --validate-config, --help.
// Exit codes: 0 ok, 1 runtime failure, 2 bad usage or configuration, 3 enrolment denied,
// 4 enrolment code refused by the engine.

import { parseArgs } from 'node:util';
import { AgentConfigError } from '../config/load-agent-file';
import { AgentPathsError, resolveAgentPaths } from '../paths/agent-paths';
import { createAgentStore } from '../state/agent-store';
import { AGENT_VERSION } from '../version';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from './cli-io';
import { enrollCommand } from './enroll-command';
import { runCommand } from './run-command';
import { statusCommand } from './status-command';
import { uninstallCommand } from './uninstall-command';

export const HELP = `borealis-agent ${AGENT_VERSION} — Borealis Engine agent for Linux

Usage: borealis-agent <command> [options]

Commands:
  enroll --server-url URL --site-enrollment-code CODE [--engine-ca-pem FILE | --engine-ca-b64 B64] [--no-wait]
                     write the configuration and the device key, send the enrolment
                     request and wait for approval (--no-wait: stop once it is pending;
                     the service keeps polling)
  run                run the agent (the systemd service runs this)
  status             enrolment, GUID, server, site, token expiry, last heartbeat
  uninstall --yes    stop and remove the service, and delete the agent's configuration,
                     device key, state and logs
  --validate-config  check agent.json: prints "agent config ok" or names the bad key

Exit codes: 0 ok, 1 failure (engine unreachable, …), 2 bad usage or configuration,
3 enrolment denied by an operator, 4 enrolment code refused by the engine.
  version            print the version
  help, --help       show this help

Files: /etc/borealis-agent/agent.json, /var/lib/borealis-agent, /var/log/borealis-agent;
BOREALIS_AGENT_ROOT=/path puts them under /path (tests, packaging).
`;

const OPTIONS = {
  'server-url': { type: 'string' },
  'site-enrollment-code': { type: 'string' },
  'engine-ca-pem': { type: 'string' },
  'engine-ca-b64': { type: 'string' },
  'no-wait': { type: 'boolean' },
  yes: { type: 'boolean' },
  'validate-config': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

type OptionName = keyof typeof OPTIONS;

/** Which options each command accepts; anything else is a usage error. */
const ALLOWED: Readonly<Record<string, readonly OptionName[]>> = {
  enroll: ['server-url', 'site-enrollment-code', 'engine-ca-pem', 'engine-ca-b64', 'no-wait'],
  uninstall: ['yes'],
  run: [],
  status: [],
  'validate-config': [],
  help: [],
  version: [],
};

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    if (values.help) return (io.out(HELP), EXIT_OK); // `borealis-agent enroll --help` too
    const command = values.version ? 'version' : values['validate-config'] ? 'validate-config' : (positionals[0] ?? 'help');
    const allowed = ALLOWED[command];
    if (!allowed) throw new UsageError(`unknown command "${command}"; run borealis-agent --help`);
    const commandPositionals = command === positionals[0] ? positionals.slice(1) : positionals;
    if (commandPositionals.length > 0) throw new UsageError(`unexpected argument "${commandPositionals[0]}"; run borealis-agent --help`);
    const flagOf: Partial<Record<string, OptionName>> = { 'validate-config': 'validate-config', version: 'version' };
    const stray = (Object.keys(values) as OptionName[]).find((name) => !allowed.includes(name) && name !== flagOf[command]);
    if (stray) throw new UsageError(`--${stray} does not apply to ${command}; run borealis-agent --help`);

    if (command === 'help') return (io.out(HELP), EXIT_OK);
    if (command === 'version') return (io.out(`${AGENT_VERSION}\n`), EXIT_OK);
    const paths = resolveAgentPaths(io.env);
    const store = createAgentStore({ paths });
    switch (command) {
      case 'validate-config':
        await store.load();
        io.out('agent config ok\n');
        return EXIT_OK;
      case 'enroll':
        return await enrollCommand(
          store,
          { serverUrl: values['server-url'], enrollmentCode: values['site-enrollment-code'], engineCaPemFile: values['engine-ca-pem'], engineCaB64: values['engine-ca-b64'], isNoWait: values['no-wait'] === true },
          io,
        );
      case 'status':
        return await statusCommand(store, io);
      case 'uninstall':
        return await uninstallCommand(paths, { isConfirmed: values.yes === true }, io);
      case 'run':
        return await runCommand(store, io);
      default:
        throw new UsageError(`unknown command "${command}"; run borealis-agent --help`);
    }
  } catch (err) {
    if (err instanceof AgentConfigError || err instanceof UsageError || err instanceof AgentPathsError) return fail(io, EXIT_USAGE, err.message);
    if (isParseArgsError(err)) return fail(io, EXIT_USAGE, `${err.message}; run borealis-agent --help`);
    return fail(io, EXIT_FAILURE, (err as Error).message);
  }
}

function isParseArgsError(err: unknown): err is Error {
  return err instanceof TypeError && typeof (err as NodeJS.ErrnoException).code === 'string' && String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');
}

function fail(io: CliIo, code: number, message: string): number {
  io.err(`borealis-agent: ${message}\n`);
  return code;
}
