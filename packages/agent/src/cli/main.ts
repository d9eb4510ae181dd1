// Process entry of `borealis-agent` (see run-cli.ts): binds the real environment and streams.

import { runCli } from './run-cli';

const exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
process.exitCode = exitCode;
