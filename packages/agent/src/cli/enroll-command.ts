// `borealis-agent enroll`: checks the install inputs, writes agent.json and the device key, then
// sends the enrolment request (§2.3) and polls (§2.4) until approved or denied, printing progress.

import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hasPinnedCa, AGENT_FILE_SCHEMA_VERSION, type AgentFile, type AgentTrust } from '../config/agent-file-schema';
import { checkServerUrl } from '../config/server-url';
import { ENROLLMENT_CODE_FORMAT, normalizeEnrollmentCode } from '../enrol/enrollment-code';
import { deviceKeyFromIdentity, sslKeyFingerprint } from '../identity/device-key';
import { ensureIdentity } from '../identity/ensure-identity';
import { ensurePrivateDir, type AgentStore } from '../state/agent-store';
import { runEnrolment } from '../enrol/enrolment';
import { silentLog } from '../runtime/agent-log';
import { createAgentClock } from '../runtime/clock-offset';
import { systemRuntime } from '../runtime/runtime';
import { createAgentStateFile } from '../state/agent-state';
import { createAgentHttp } from '../transport/agent-http';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from './cli-io';

export interface EnrollOptions {
  readonly serverUrl: string | undefined;
  readonly enrollmentCode: string | undefined;
  readonly engineCaPemFile: string | undefined;
  /** `--engine-ca-b64`: the same PEM, base64-encoded (for installers that pass it inline). */
  readonly engineCaB64?: string | undefined;
  /** Stop once the request is pending; the service keeps polling (installers). */
  readonly isNoWait?: boolean;
}

export const EXIT_DENIED = 3;
export const EXIT_CODE_REFUSED = 4;

export async function enrollCommand(store: AgentStore, options: EnrollOptions, io: CliIo): Promise<number> {
  if (options.serverUrl === undefined) throw new UsageError('enroll needs --server-url https://host[:port]');
  if (options.enrollmentCode === undefined) throw new UsageError('enroll needs --site-enrollment-code CODE');
  const code = normalizeEnrollmentCode(options.enrollmentCode);
  // The code is a credential: name the option, never echo the value.
  if (code === undefined) throw new UsageError(`--site-enrollment-code must be ${ENROLLMENT_CODE_FORMAT}`);
  if (options.engineCaPemFile !== undefined && options.engineCaB64 !== undefined) throw new UsageError('give either --engine-ca-pem or --engine-ca-b64, not both');
  const caPem = options.engineCaPemFile !== undefined
    ? await readCaBundle(options.engineCaPemFile)
    : options.engineCaB64 !== undefined
      ? checkCaBundle(Buffer.from(options.engineCaB64, 'base64').toString('utf8'), '--engine-ca-b64', 'the value')
      : undefined;
  const trust: AgentTrust = caPem === undefined ? { mode: 'system' } : { mode: 'ca', engine_ca_pem: caPem };
  const url = checkServerUrl(options.serverUrl, { hasPinnedCa: hasPinnedCa({ trust }) });
  if (!url.ok) throw new UsageError(`--server-url ${url.message} (got ${JSON.stringify(options.serverUrl)})`);

  const previous = await store.read();
  await store.update((current) => configure(current, { serverUrl: url.url, code, trust }));
  if (previous !== undefined && previous.server_url !== url.url) {
    // A request pending at another engine means nothing here.
    await createAgentStateFile(store.paths).update(({ pending_approval: _p, ...rest }) => rest);
  }
  const { identity, isNew } = await ensureIdentity(store);
  await ensurePrivateDir(store.paths.stateDir);
  const fingerprint = sslKeyFingerprint(deviceKeyFromIdentity(identity).spkiDer);
  io.out(`configuration written to ${store.paths.configFile}\n`);
  io.out(`device key ${isNew ? 'created' : 'kept'}: fingerprint ${fingerprint}\n`);
  const file = await store.load();
  if (file.agent?.guid !== undefined && file.tokens?.refresh_token !== undefined) {
    io.out(`already enrolled as device ${file.agent.guid}\n`);
    return EXIT_OK;
  }
  io.out(`contacting ${file.server_url}\n`);
  const runtime = systemRuntime;
  const clock = createAgentClock({ now: runtime.now });
  const http = createAgentHttp({ serverUrl: file.server_url, trust: file.trust, privateKey: deviceKeyFromIdentity(identity).privateKey, clock });
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const outcome = await runEnrolment(
      { http, store, state: createAgentStateFile(store.paths), key: deviceKeyFromIdentity(identity), runtime, log: silentLog, signal: controller.signal, progress: (line) => io.out(`${line}\n`) },
      { stopWhenPending: options.isNoWait === true, stopOnRefusal: true, maxFailures: 5 },
    );
    switch (outcome) {
      case 'enrolled':
        io.out('enrolled; start the service with: systemctl enable --now borealis-agent\n');
        return EXIT_OK;
      case 'reauth':
        io.out('the engine had already issued tokens to this key; the service recovers them (reauth) on start\n');
        return EXIT_OK;
      case 'pending':
        io.out('request pending approval; the service keeps polling once started\n');
        return EXIT_OK;
      case 'denied':
        io.err('borealis-agent: enrolment was denied by an operator\n');
        return EXIT_DENIED;
      case 'code_refused':
        io.err('borealis-agent: the engine refused the enrolment code; ask for the site\'s current code\n');
        return EXIT_CODE_REFUSED;
      case 'gave_up':
        io.err(`borealis-agent: could not complete enrolment with ${file.server_url}; see the messages above\n`);
        return EXIT_FAILURE;
      case 'stopped':
        io.err('borealis-agent: interrupted; run enroll again or start the service to continue\n');
        return EXIT_FAILURE;
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    http.close();
  }
}

/** Keeps the identity always, and enrolment and tokens only while the engine stays the same. */
function configure(current: AgentFile | undefined, input: { serverUrl: string; code: string; trust: AgentTrust }): AgentFile {
  const sameEngine = current?.server_url === input.serverUrl;
  return {
    schema_version: AGENT_FILE_SCHEMA_VERSION,
    server_url: input.serverUrl,
    enrollment_code: input.code,
    trust: input.trust,
    ...(current?.identity && { identity: current.identity }),
    ...(sameEngine && current.agent && { agent: current.agent }),
    ...(sameEngine && current.tokens && { tokens: current.tokens }),
  };
}

/** The PEM certificates of `file`; each block must parse as X.509. */
async function readCaBundle(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--engine-ca-pem cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return checkCaBundle(text, '--engine-ca-pem', file);
}

function checkCaBundle(text: string, option: string, source: string): string {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new UsageError(`${option} ${source} holds no PEM certificate`);
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (err) {
      throw new UsageError(`${option} ${source}: certificate ${i + 1} is not valid X.509 (${(err as Error).message})`);
    }
  }
  return `${blocks.join('\n')}\n`;
}
