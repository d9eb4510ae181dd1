// The User-Agent every agent request sends (agent-protocol.md §1).
import { AGENT_VERSION } from '../version';

export function agentArch(arch: string = process.arch): 'x64' | 'arm64' {
  return arch === 'arm64' ? 'arm64' : 'x64';
}

export function agentUserAgent(): string {
  return `Borealis-Agent-TS/${AGENT_VERSION} (linux; ${agentArch()})`;
}
