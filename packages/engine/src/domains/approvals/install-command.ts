// The one-line Linux install command shown next to a site's enrolment code (Approvals and Sites
// pages). It fetches the installer route, which embeds the server URL and CA, and pipes it to bash.

import type { AgentTrustInfo } from '../../agent-trust-info';

export const LINUX_INSTALLER_PATH = '/api/agent/install/download/linux';

export interface InstallCommandSource {
  /** Where agents reach the engine (deviceTrust.origin()). */
  readonly origin: () => string;
  /** The engine's TLS facts; with a local CA the download is pinned to the server key. */
  readonly agentTrust: AgentTrustInfo | null;
}

/** Single-quotes a value for sh (codes and pins never hold quotes, but a URL might). */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export function buildInstallCommand(source: InstallCommandSource, code: string): string {
  const url = shellQuote(`${source.origin()}${LINUX_INSTALLER_PATH}`);
  const tail = `| sudo bash -s -- --site-enrollment-code ${shellQuote(code)}`;
  // Before the agent holds ca.pem, curl trusts the engine only through the pinned server key;
  // -k skips the CA chain check that the pin replaces (the local CA is in no system store).
  if (source.agentTrust?.caPem) return `curl -fsSL --pinnedpubkey ${shellQuote(source.agentTrust.serverKeyPin)} -k ${url} ${tail}`;
  return `curl -fsSL ${url} ${tail}`;
}
