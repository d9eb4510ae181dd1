// One collector per inventory section (agent-protocol.md §4.4), each normalised and hashed.
import { INVENTORY_SECTIONS, type InventorySectionName } from '@borealis/protocol/agent';
import type { HostReader } from './host-reader';
import { collectCpu, collectMemory, collectSummary } from './collectors/hardware';
import { collectNetwork } from './collectors/network';
import { collectProcesses } from './collectors/processes';
import { collectServices } from './collectors/services';
import { collectSessions } from './collectors/sessions';
import { collectSoftware } from './collectors/software';
import { collectStorage } from './collectors/storage';
import { normaliseSection, sectionHash } from './normalise';

export { INVENTORY_SECTIONS, type InventorySectionName };

export interface CollectedSection {
  readonly name: InventorySectionName;
  readonly value: unknown;
  readonly hash: string;
}

const COLLECTORS: Readonly<Record<InventorySectionName, (reader: HostReader) => Promise<unknown>>> = {
  summary: collectSummary,
  cpu: collectCpu,
  memory: collectMemory,
  storage: collectStorage,
  network: collectNetwork,
  software: collectSoftware,
  services: collectServices,
  processes: collectProcesses,
  sessions: collectSessions,
};

export async function collectSection(reader: HostReader, name: InventorySectionName): Promise<CollectedSection> {
  const value = normaliseSection(name, await COLLECTORS[name](reader));
  return { name, value, hash: sectionHash(value) };
}
