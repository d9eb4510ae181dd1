// `npm run simulate -- --server URL --agents N [--site S] [--code CODE] [--engine-ca-pem FILE]`:
// runs N virtual agents against an engine, prints a status line every 10 s and a JSON summary on
// exit (Ctrl-C, or --duration seconds). The code comes from --code or BOREALIS_ENROLLMENT_CODE.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Fleet } from './fleet';

const USAGE = `Usage: npm run simulate -- --server https://host:port --agents N [options]

  --code CODE              enrolment code of an auto-approving site (or BOREALIS_ENROLLMENT_CODE)
  --site NAME              only a label: the code decides the site; used as the host-name prefix
  --engine-ca-pem FILE     trust only this CA (the engine's ca.pem)
  --ramp N                 start N agents per second (default 200; 0 = all at once)
  --duration S             stop after S seconds (default: run until Ctrl-C)
  --local-addresses LIST   comma-separated source addresses (default 127.0.0.2… for a loopback server)
  --job-delay-ms MS        fake run time of quick jobs (default 500)
  --job-output TEXT        stdout of quick jobs
  --job-exit-code N        exit code of quick jobs (default 0)
  --software N             packages per synthetic host (default 150)
`;

function fail(message: string): never {
  process.stderr.write(`simulate: ${message}\n\n${USAGE}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    server: { type: 'string' },
    agents: { type: 'string', default: '10' },
    site: { type: 'string' },
    code: { type: 'string' },
    'engine-ca-pem': { type: 'string' },
    ramp: { type: 'string', default: '200' },
    duration: { type: 'string' },
    'local-addresses': { type: 'string' },
    'job-delay-ms': { type: 'string', default: '500' },
    'job-output': { type: 'string', default: 'hello from the simulator\n' },
    'job-exit-code': { type: 'string', default: '0' },
    software: { type: 'string', default: '150' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (!values.server || !/^https:\/\//.test(values.server)) fail('--server must be an https:// URL');
const code = values.code ?? process.env.BOREALIS_ENROLLMENT_CODE;
if (!code) fail('an enrolment code is needed (--code or BOREALIS_ENROLLMENT_CODE)');
const agents = Number(values.agents);
if (!Number.isInteger(agents) || agents < 1) fail('--agents must be a positive whole number');

const fleet = new Fleet({
  server: values.server,
  agents,
  enrollmentCode: code,
  caPem: values['engine-ca-pem'] ? readFileSync(values['engine-ca-pem'], 'utf8') : undefined,
  prefix: (values.site ?? 'sim').toLowerCase().replace(/[^a-z0-9-]/g, '-'),
  rampPerSecond: Number(values.ramp),
  localAddresses: values['local-addresses']?.split(',').map((a) => a.trim()),
  jobs: { delayMs: Number(values['job-delay-ms']), stdout: values['job-output'], exitCode: Number(values['job-exit-code']) },
  host: { softwareCount: Number(values.software), driftRate: 0.05 },
});

const status = setInterval(() => {
  const s = fleet.summary();
  process.stdout.write(
    `${new Date().toISOString()} online ${s.states.online}/${s.agents} enrolling ${s.states.enrolling} waiting ${s.states.waiting} failed ${s.states.failed}` +
      ` | connect p50/p99 ${s.connect_latency.p50_ms}/${s.connect_latency.p99_ms} ms | heartbeat ack p50/p99 ${s.heartbeat_ack_latency.p50_ms}/${s.heartbeat_ack_latency.p99_ms} ms` +
      ` | sim cpu ${s.simulator.cpu_percent}% rss ${s.simulator.rss_mb} MB\n`,
  );
}, 10_000);

let stopping = false;
const finish = () => {
  if (stopping) return;
  stopping = true;
  clearInterval(status);
  const summary = fleet.summary();
  fleet.stop();
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  setTimeout(() => process.exit(0), 500).unref();
};
process.once('SIGINT', finish);
process.once('SIGTERM', finish);
if (values.duration) setTimeout(finish, Number(values.duration) * 1000);

await fleet.start();
