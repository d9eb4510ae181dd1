// `borealis-agent status`: what is on disk, without secrets (no code, token or private key).

import { deviceKeyFromIdentity, sslKeyFingerprint } from '../identity/device-key';
import type { AgentStore } from '../state/agent-store';
import { EXIT_OK, type CliIo } from './cli-io';

export async function statusCommand(store: AgentStore, io: CliIo): Promise<number> {
  const file = await store.read();
  const rows: Array<[string, string]> = [['config file', `${store.paths.configFile}${file ? '' : ' (missing)'}`]];
  if (!file) {
    rows.push(['enrolled', 'no (not configured; run borealis-agent enroll)']);
  } else {
    const isEnrolled = file.agent?.guid !== undefined && file.tokens?.refresh_token !== undefined;
    rows.push(
      ['enrolled', isEnrolled ? 'yes' : 'no'],
      ['guid', file.agent?.guid ?? '-'],
      ['server url', file.server_url],
      ['trust', file.trust?.mode ?? 'system'],
      ['enrolment code', file.enrollment_code ? 'stored' : 'none'],
      ['key fingerprint', file.identity ? sslKeyFingerprint(deviceKeyFromIdentity(file.identity).spkiDer) : 'none (no identity yet)'],
    );
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [key, value] of rows) io.out(`${`${key}:`.padEnd(width + 1)} ${value}\n`);
  return EXIT_OK;
}
