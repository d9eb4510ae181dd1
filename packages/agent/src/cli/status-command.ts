// `borealis-agent status`: what is on disk, without secrets (no code, token or private key):
// enrolment, GUID, server, site, token expiry, and the last heartbeat and ack from state.json.
import { deviceKeyFromIdentity, sslKeyFingerprint } from '../identity/device-key';
import { createAgentStateFile } from '../state/agent-state';
import type { AgentStore } from '../state/agent-store';
import { EXIT_OK, type CliIo } from './cli-io';

export async function statusCommand(store: AgentStore, io: CliIo): Promise<number> {
  const file = await store.read();
  const rows: Array<[string, string]> = [['config file', `${store.paths.configFile}${file ? '' : ' (missing)'}`]];
  if (!file) {
    rows.push(['enrolled', 'no (not configured; run borealis-agent enroll)']);
  } else {
    const state = await createAgentStateFile(store.paths).read();
    const isEnrolled = file.agent?.guid !== undefined && file.tokens?.refresh_token !== undefined;
    const site = file.agent?.site_id === undefined || file.agent.site_id === null ? '-' : `${file.agent.site_id}${state.site_name ? ` (${state.site_name})` : ''}`;
    rows.push(
      ['enrolled', isEnrolled ? 'yes' : state.pending_approval ? `no (waiting for approval, reference ${state.pending_approval.approval_reference})` : 'no'],
      ['guid', file.agent?.guid ?? '-'],
      ['server url', file.server_url],
      ['site', site],
      ['trust', file.trust?.mode ?? 'system'],
      ['enrolment code', file.enrollment_code ? 'stored' : 'none'],
      ['key fingerprint', file.identity ? sslKeyFingerprint(deviceKeyFromIdentity(file.identity).spkiDer) : 'none (no identity yet)'],
      ['access token', file.tokens?.access_expires_at ? `expires ${file.tokens.access_expires_at}` : 'none'],
      ['refresh token', file.tokens?.refresh_expires_at ? `expires ${file.tokens.refresh_expires_at}` : 'none'],
      ['socket', state.socket_connected === undefined ? '-' : state.socket_connected ? 'connected' : 'disconnected'],
      ['last heartbeat', state.last_heartbeat_at ? `${state.last_heartbeat_at}${state.heartbeat_path ? ` (${state.heartbeat_path})` : ''}` : 'never'],
      ['last ack', state.last_ack_at ?? 'never'],
      ['last full inventory', state.inventory?.last_full_at ?? 'never'],
    );
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [key, value] of rows) io.out(`${`${key}:`.padEnd(width + 1)} ${value}\n`);
  return EXIT_OK;
}
