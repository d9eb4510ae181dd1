// The Linux installer the engine serves (GET /api/agent/install/download/linux): the repository's
// deploy/agent/install.sh with this engine's agent origin, its local CA (when it made one) and the
// systemd unit filled in, so `curl … | sudo bash -s -- --site-enrollment-code CODE` needs nothing else.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const INSTALL_SCRIPT_FILE = fileURLToPath(new URL('../../../../../deploy/agent/install.sh', import.meta.url));
export const SERVICE_UNIT_FILE = fileURLToPath(new URL('../../../../../deploy/agent/borealis-agent.service', import.meta.url));

export interface InstallScriptInput {
  /** The agent origin (`security.deviceTrust.origin()`), https://host[:port]. */
  readonly serverUrl: string;
  /** The engine's local CA, or null when the certificate came from elsewhere (system trust). */
  readonly caPem: string | null;
}

/** Shell single-quote safety: the values are an origin and base64, but never trust that blindly. */
function assertQuotable(name: string, value: string): void {
  if (!/^[A-Za-z0-9+/=:._[\]-]*$/.test(value)) throw new Error(`${name} holds characters that cannot be embedded in the installer`);
}

export function renderInstallScript(template: string, unit: string, input: InstallScriptInput): string {
  const caB64 = input.caPem === null ? '' : Buffer.from(input.caPem, 'utf8').toString('base64');
  assertQuotable('server url', input.serverUrl);
  assertQuotable('CA', caB64);
  const replaceLine = (text: string, pattern: RegExp, line: string) => {
    if (!pattern.test(text)) throw new Error(`install.sh lacks the line ${pattern.source}`);
    return text.replace(pattern, () => line);
  };
  let script = replaceLine(template, /^EMBEDDED_SERVER_URL='__BOREALIS_SERVER_URL__'$/m, `EMBEDDED_SERVER_URL='${input.serverUrl}'`);
  script = replaceLine(script, /^EMBEDDED_CA_PEM_B64='__BOREALIS_ENGINE_CA_PEM_B64__'$/m, `EMBEDDED_CA_PEM_B64='${caB64}'`);
  // The unit goes inside a quoted heredoc ending at a line `UNIT`; the unit never has such a line.
  if (/^UNIT$/m.test(unit)) throw new Error('the service unit contains a heredoc terminator line');
  script = replaceLine(script, /^__BOREALIS_SERVICE_UNIT__$/m, unit.replace(/\n+$/, ''));
  return script;
}

export async function loadInstallScript(input: InstallScriptInput): Promise<string> {
  const [template, unit] = await Promise.all([readFile(INSTALL_SCRIPT_FILE, 'utf8'), readFile(SERVICE_UNIT_FILE, 'utf8')]);
  return renderInstallScript(template, unit, input);
}
