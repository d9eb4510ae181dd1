// `borealis-agent enroll`: checks the install inputs, writes agent.json and the device key.
// Talking to the engine (§2.3–2.4) is not in this build, so it ends with an honest exit 1.

import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hasPinnedCa, AGENT_FILE_SCHEMA_VERSION, type AgentFile, type AgentTrust } from '../config/agent-file-schema';
import { checkServerUrl } from '../config/server-url';
import { ENROLLMENT_CODE_FORMAT, normalizeEnrollmentCode } from '../enrol/enrollment-code';
import { deviceKeyFromIdentity, sslKeyFingerprint } from '../identity/device-key';
import { ensureIdentity } from '../identity/ensure-identity';
import { ensurePrivateDir, type AgentStore } from '../state/agent-store';
import { EXIT_FAILURE, UsageError, type CliIo } from './cli-io';

export interface EnrollOptions {
  readonly serverUrl: string | undefined;
  readonly enrollmentCode: string | undefined;
  readonly engineCaPemFile: string | undefined;
}

export const ENROLMENT_NOT_IMPLEMENTED = 'enrolment with the engine is not implemented in this build yet';

export async function enrollCommand(store: AgentStore, options: EnrollOptions, io: CliIo): Promise<number> {
  if (options.serverUrl === undefined) throw new UsageError('enroll needs --server-url https://host[:port]');
  if (options.enrollmentCode === undefined) throw new UsageError('enroll needs --site-enrollment-code CODE');
  const code = normalizeEnrollmentCode(options.enrollmentCode);
  // The code is a credential: name the option, never echo the value.
  if (code === undefined) throw new UsageError(`--site-enrollment-code must be ${ENROLLMENT_CODE_FORMAT}`);
  const trust: AgentTrust = options.engineCaPemFile === undefined
    ? { mode: 'system' }
    : { mode: 'ca', engine_ca_pem: await readCaBundle(options.engineCaPemFile) };
  const url = checkServerUrl(options.serverUrl, { hasPinnedCa: hasPinnedCa({ trust }) });
  if (!url.ok) throw new UsageError(`--server-url ${url.message} (got ${JSON.stringify(options.serverUrl)})`);

  await store.update((current) => configure(current, { serverUrl: url.url, code, trust }));
  const { identity, isNew } = await ensureIdentity(store);
  await ensurePrivateDir(store.paths.stateDir);
  const fingerprint = sslKeyFingerprint(deviceKeyFromIdentity(identity).spkiDer);
  io.out(`configuration written to ${store.paths.configFile}\n`);
  io.out(`device key ${isNew ? 'created' : 'kept'}: fingerprint ${fingerprint}\n`);
  io.err(`borealis-agent: ${ENROLMENT_NOT_IMPLEMENTED}\n`);
  return EXIT_FAILURE;
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
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new UsageError(`--engine-ca-pem ${file} holds no PEM certificate`);
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (err) {
      throw new UsageError(`--engine-ca-pem ${file}: certificate ${i + 1} is not valid X.509 (${(err as Error).message})`);
    }
  }
  return `${blocks.join('\n')}\n`;
}
