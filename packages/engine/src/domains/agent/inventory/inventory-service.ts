// Inventory uploads (agent-protocol §4.4, data-model.md §4): replace semantics per section, writes only
// for changed hashes, a software difference written row by row, and the copied `devices` columns
// updated only when their value changed. Announces `inventory_changed` after the commit.

import type { Kysely } from 'kysely';
import type { InventoryDetails, InventorySectionName, InventoryUpload, SoftwareSection } from '@borealis/protocol/agent';
import type { Clock } from '../../../clock';
import type { Database, DevicesTable } from '../../../db/schema';
import type { DbExecutor } from '../../audit/audit-log';
import type { DeviceEvents } from '../../devices/device-events';
import type { AuthenticatedDevice } from '../device-authenticator';
import { deleteSoftware, ensureTitles, sectionHashes, storedSoftware, upsertSections, upsertSoftware, type SoftwareKey } from './inventory-repository';

export interface InventoryUploadResult {
  /** Every sent section: the engine now holds it with the sent hash. */
  readonly stored: InventorySectionName[];
  /** Sections the agent reported a hash for that the engine does not hold. */
  readonly inventory_wanted: InventorySectionName[];
  /** Sections whose stored data actually changed (for tests and events). */
  readonly changed: InventorySectionName[];
}

export interface InventoryService {
  upload(device: AuthenticatedDevice, body: InventoryUpload, remoteAddress: string | null): Promise<InventoryUploadResult>;
  /** Stored section hashes (hex) of one device. */
  hashes(rowGuid: string): Promise<Map<string, string>>;
}

type CopiedColumns = Partial<Pick<DevicesTable, 'fqdn' | 'operating_system' | 'os_id' | 'os_version' | 'kernel' | 'device_type' | 'domain' | 'virtualization' | 'manufacturer' | 'system_model' | 'serial_number' | 'cpu_model' | 'logical_cores' | 'storage_free_percent' | 'external_ip'>> & {
  total_ram_bytes?: string | null;
};

/** The `devices` columns the sent sections determine (data-model.md (d)). */
function copiedColumns(details: InventoryDetails, externalIp: string | null): CopiedColumns {
  const out: CopiedColumns = {};
  if (details.summary) {
    const s = details.summary;
    Object.assign(out, {
      fqdn: s.fqdn,
      operating_system: s.operating_system,
      os_id: s.os.id,
      os_version: s.os.version_id,
      kernel: s.os.kernel,
      device_type: s.device_type,
      domain: s.domain,
      virtualization: s.virtualization,
      manufacturer: s.manufacturer,
      system_model: s.system_model,
      serial_number: s.serial_number,
      external_ip: externalIp,
    });
  }
  if (details.cpu) Object.assign(out, { cpu_model: details.cpu.name, logical_cores: details.cpu.logical_cores });
  if (details.memory) out.total_ram_bytes = String(details.memory.total_bytes);
  if (details.storage) {
    const total = details.storage.reduce((n, d) => n + d.total, 0);
    const free = details.storage.reduce((n, d) => n + d.free, 0);
    // real column: round so a byte of drift does not count as a change.
    out.storage_free_percent = total > 0 ? Math.round((free / total) * 1000) / 10 : null;
  }
  return out;
}

const softwareKey = (k: { titleId: string; source: string; architecture: string }) => `${k.titleId}\u0000${k.source}\u0000${k.architecture}`;

async function writeSoftwareDiff(trx: DbExecutor, rowGuid: string, software: SoftwareSection): Promise<void> {
  const titles = new Map<string, string>();
  for (const item of software) titles.set(item.name.toLowerCase(), titles.get(item.name.toLowerCase()) ?? item.name);
  const ids = titles.size ? await ensureTitles(trx, titles) : new Map<string, string>();
  const wanted = new Map<string, SoftwareKey & { version: string; installedAt: string | null }>();
  for (const item of software) {
    const row = { titleId: ids.get(item.name.toLowerCase())!, source: item.source, architecture: item.architecture, version: item.version, installedAt: item.installed_at ?? null };
    wanted.set(softwareKey(row), row);
  }
  const current = await storedSoftware(trx, rowGuid);
  const have = new Map(current.map((r) => [softwareKey({ titleId: String(r.title_id), source: r.source, architecture: r.architecture }), r]));
  const removed = [...have.entries()].filter(([k]) => !wanted.has(k)).map(([, r]) => ({ titleId: String(r.title_id), source: r.source, architecture: r.architecture }));
  const changed = [...wanted.entries()]
    .filter(([k, w]) => {
      const h = have.get(k);
      return !h || h.version !== w.version || (h.installed_at ? new Date(h.installed_at).toISOString() : null) !== (w.installedAt ? new Date(w.installedAt).toISOString() : null);
    })
    .map(([, w]) => w);
  if (removed.length) await deleteSoftware(trx, rowGuid, removed);
  if (changed.length) await upsertSoftware(trx, rowGuid, changed);
}

export function createInventoryService(deps: { readonly db: Kysely<Database>; readonly clock: Clock; readonly events: DeviceEvents }): InventoryService {
  return {
    hashes: (rowGuid) => sectionHashes(deps.db, rowGuid),
    async upload(device, body, remoteAddress) {
      const sent = Object.keys(body.details) as InventorySectionName[];
      const details: InventoryDetails = { ...body.details };
      // The engine, not the agent, knows the address the device is seen from (§4.4).
      if (details.summary) details.summary = { ...details.summary, external_ip: remoteAddress };
      const now = deps.clock.now();
      const changed = await deps.db.transaction().execute(async (trx) => {
        const rows = sent.map((section) => {
          const data = JSON.stringify(details[section]);
          return { section, data, hash: Buffer.from(body.hashes[section]!, 'hex'), sizeBytes: Buffer.byteLength(data) };
        });
        const written = (await upsertSections(trx, device.rowGuid, rows, new Date(body.collected_at), now)) as InventorySectionName[];
        if (written.includes('software') && details.software) await writeSoftwareDiff(trx, device.rowGuid, details.software);
        const columns = copiedColumns(details, remoteAddress);
        if (Object.keys(columns).length) {
          const current = await trx.selectFrom('devices').selectAll().where('guid', '=', device.rowGuid).executeTakeFirstOrThrow();
          const diff = Object.fromEntries(
            Object.entries(columns).filter(([k, v]) => {
              const before = (current as Record<string, unknown>)[k];
              return (before === null || before === undefined ? null : String(before)) !== (v === null || v === undefined ? null : String(v));
            }),
          );
          if (Object.keys(diff).length) await trx.updateTable('devices').set({ ...diff, updated_at: now }).where('guid', '=', device.rowGuid).execute();
        }
        return written;
      });
      const stored = await sectionHashes(deps.db, device.rowGuid);
      const wanted = (Object.entries(body.hashes) as [InventorySectionName, string][]).filter(([s, h]) => !sent.includes(s) && stored.get(s) !== h).map(([s]) => s);
      if (changed.length) deps.events.emit('inventory_changed', { guid: device.guid, site_id: device.siteId, sections: changed });
      return { stored: sent, inventory_wanted: wanted, changed };
    },
  };
}
