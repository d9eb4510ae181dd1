// The software, services and processes tabs of a device: each a searchable, sortable table over
// its inventory section, or an empty state until the agent reports that section.
import type { DeviceInventory, InstalledSoftware } from '@borealis/protocol';
import { Badge } from '@mantine/core';
import { formatBytes, formatPercent } from '../../shared/format-bytes';
import { formatDateTime } from '../../shared/format-date-time';
import { type InventoryColumn, InventoryTable } from './InventoryTable';
import { SectionEmpty } from './SectionEmpty';

type Service = NonNullable<DeviceInventory['services']>[number];
type Process = NonNullable<NonNullable<DeviceInventory['processes']>['processes']>[number];

const SOFTWARE_COLUMNS: readonly InventoryColumn<InstalledSoftware>[] = [
  { key: 'name', label: 'Name', value: (s) => s.name },
  { key: 'version', label: 'Version', value: (s) => s.version, mono: true },
  { key: 'architecture', label: 'Arch', value: (s) => s.architecture, mono: true },
  { key: 'source', label: 'Source', value: (s) => s.source },
  { key: 'installed_at', label: 'Installed', value: (s) => s.installed_at, render: (s) => (s.installed_at ? formatDateTime(s.installed_at) : '—') },
];

export function SoftwareTab({ inventory }: { readonly inventory: DeviceInventory | null }) {
  const software = inventory?.software ?? null;
  if (software === null || software.length === 0) return <SectionEmpty section="software" testId="device-software-empty" />;
  return (
    <InventoryTable
      rows={software}
      columns={SOFTWARE_COLUMNS}
      initialSort={{ key: 'name', direction: 'asc' }}
      rowKey={(s) => `${s.name}|${s.source}|${s.architecture}`}
      noun="packages"
      testId="device-software"
    />
  );
}

const SERVICE_COLORS: Readonly<Record<string, string>> = { running: 'teal', failed: 'red', stopped: 'gray', starting: 'blue', stopping: 'yellow' };

const SERVICE_COLUMNS: readonly InventoryColumn<Service>[] = [
  { key: 'name', label: 'Name', value: (s) => s.name, mono: true },
  { key: 'description', label: 'Description', value: (s) => s.description },
  {
    key: 'status',
    label: 'Status',
    value: (s) => s.status,
    render: (s) =>
      s.status ? (
        <Badge size="sm" variant="light" tt="none" color={SERVICE_COLORS[s.status] ?? 'gray'}>
          {s.status}
        </Badge>
      ) : (
        '—'
      ),
  },
  { key: 'sub_state', label: 'State', value: (s) => [s.active_state, s.sub_state].filter(Boolean).join(' / ') || null },
  { key: 'start_mode', label: 'Start', value: (s) => s.start_mode },
];

export function ServicesTab({ inventory }: { readonly inventory: DeviceInventory | null }) {
  const services = inventory?.services ?? null;
  if (services === null || services.length === 0) return <SectionEmpty section="services" testId="device-services-empty" />;
  return (
    <InventoryTable
      rows={services}
      columns={SERVICE_COLUMNS}
      initialSort={{ key: 'name', direction: 'asc' }}
      rowKey={(s, i) => s.name ?? String(i)}
      noun="services"
      testId="device-services"
    />
  );
}

const PROCESS_COLUMNS: readonly InventoryColumn<Process>[] = [
  { key: 'name', label: 'Process', value: (p) => p.name, mono: true },
  { key: 'count', label: 'Instances', value: (p) => p.count, align: 'right' },
  { key: 'cpu_percent', label: 'CPU', value: (p) => p.cpu_percent, align: 'right', render: (p) => formatPercent(p.cpu_percent) },
  { key: 'memory_bytes', label: 'Memory', value: (p) => p.memory_bytes, align: 'right', render: (p) => formatBytes(p.memory_bytes) },
];

export function ProcessesTab({ inventory }: { readonly inventory: DeviceInventory | null }) {
  const processes = inventory?.processes?.processes ?? null;
  if (processes === null || processes.length === 0) return <SectionEmpty section="processes" testId="device-processes-empty" />;
  return (
    <InventoryTable
      rows={processes}
      columns={PROCESS_COLUMNS}
      initialSort={{ key: 'cpu_percent', direction: 'desc' }}
      rowKey={(p, i) => `${p.name ?? ''}|${i}`}
      noun="processes"
      testId="device-processes"
    />
  );
}
