// Hardware of one device from its inventory: CPU, memory (with modules), storage and network
// adapters, each with its own empty state until the agent reports it.
import type { DeviceInventory } from '@borealis/protocol';
import { Badge, Card, Progress, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { formatBytes, formatPercent } from '../../shared/format-bytes';
import { usageColor } from './DeviceTable';
import { Facts } from './Facts';

export function HardwareTab({ inventory }: { readonly inventory: DeviceInventory | null }) {
  const cpu = inventory?.cpu ?? null;
  const memory = inventory?.memory ?? null;
  const storage = inventory?.storage ?? null;
  const network = inventory?.network ?? null;
  return (
    <Stack gap="md" data-testid="device-hardware">
      <Section title="CPU" isEmpty={cpu === null} testId="hardware-cpu">
        {cpu && (
          <Facts
            facts={[
              { label: 'Model', value: cpu.name, testId: 'hardware-cpu-name' },
              { label: 'Vendor', value: cpu.vendor },
              { label: 'Architecture', value: cpu.arch, mono: true },
              { label: 'Sockets', value: cpu.sockets },
              { label: 'Cores / threads', value: cpu.physical_cores != null ? `${cpu.physical_cores} / ${cpu.logical_cores ?? '—'}` : cpu.logical_cores },
              { label: 'Base clock', value: cpu.base_clock_ghz != null ? `${cpu.base_clock_ghz} GHz` : null },
            ]}
          />
        )}
      </Section>

      <Section title="Memory" isEmpty={memory === null} testId="hardware-memory">
        {memory && (
          <Stack gap="md">
            <Facts
              facts={[
                { label: 'Installed', value: formatBytes(memory.total_bytes), testId: 'hardware-memory-total' },
                { label: 'Swap', value: formatBytes(memory.swap_total_bytes) },
              ]}
            />
            {(memory.modules?.length ?? 0) > 0 && (
              <Table.ScrollContainer minWidth={560}>
                <Table verticalSpacing={4} fz="sm">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Slot</Table.Th>
                      <Table.Th>Capacity</Table.Th>
                      <Table.Th>Type</Table.Th>
                      <Table.Th>Speed</Table.Th>
                      <Table.Th>Serial</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {memory.modules?.map((module, index) => (
                      <Table.Tr key={`${module.slot ?? ''}-${index}`}>
                        <Table.Td>{module.slot ?? '—'}</Table.Td>
                        <Table.Td>{formatBytes(module.capacity)}</Table.Td>
                        <Table.Td>{module.type ?? '—'}</Table.Td>
                        <Table.Td>{module.speed != null ? `${module.speed} MT/s` : '—'}</Table.Td>
                        <Table.Td ff="monospace">{module.serial ?? '—'}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </Stack>
        )}
      </Section>

      <Section title="Storage" isEmpty={storage === null || storage.length === 0} testId="hardware-storage">
        <Table.ScrollContainer minWidth={760}>
          <Table verticalSpacing={6} fz="sm" data-testid="hardware-storage-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Mount</Table.Th>
                <Table.Th>Device</Table.Th>
                <Table.Th>File system</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th ta="right">Size</Table.Th>
                <Table.Th ta="right">Free</Table.Th>
                <Table.Th w={160}>Used</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {storage?.map((disk, index) => (
                <Table.Tr key={`${disk.drive ?? ''}-${index}`} data-testid="storage-row">
                  <Table.Td ff="monospace">{disk.drive ?? '—'}</Table.Td>
                  <Table.Td ff="monospace">{disk.device ?? '—'}</Table.Td>
                  <Table.Td>{disk.fs_type ?? '—'}</Table.Td>
                  <Table.Td>{disk.disk_type ?? '—'}</Table.Td>
                  <Table.Td ta="right">{formatBytes(disk.total)}</Table.Td>
                  <Table.Td ta="right">{formatBytes(disk.free)}</Table.Td>
                  <Table.Td>
                    <Progress size="sm" value={disk.usage ?? 0} color={usageColor(disk.usage ?? null)} aria-label={`Used on ${disk.drive ?? 'disk'}`} />
                    <Text size="xs" c="dimmed">
                      {formatPercent(disk.usage)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Section>

      <Section title="Network adapters" isEmpty={network === null || network.length === 0} testId="hardware-network">
        <Table.ScrollContainer minWidth={760}>
          <Table verticalSpacing={6} fz="sm" data-testid="hardware-network-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Adapter</Table.Th>
                <Table.Th>Addresses</Table.Th>
                <Table.Th>MAC</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th ta="right">Speed</Table.Th>
                <Table.Th ta="right">MTU</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {network?.map((adapter, index) => (
                <Table.Tr key={`${adapter.adapter ?? ''}-${index}`} data-testid="network-row">
                  <Table.Td>
                    <Text size="sm" ff="monospace" span>
                      {adapter.adapter ?? '—'}
                    </Text>{' '}
                    {adapter.default_route && (
                      <Badge size="xs" variant="light" tt="none">
                        default route
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td ff="monospace">{adapter.ips?.join(', ') || '—'}</Table.Td>
                  <Table.Td ff="monospace">{adapter.mac ?? '—'}</Table.Td>
                  <Table.Td>{adapter.state ?? '—'}</Table.Td>
                  <Table.Td ta="right">{adapter.link_speed != null ? `${adapter.link_speed} Mbit/s` : '—'}</Table.Td>
                  <Table.Td ta="right">{adapter.mtu ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Section>
    </Stack>
  );
}

function Section({ title, isEmpty, testId, children }: { readonly title: string; readonly isEmpty: boolean; readonly testId: string; readonly children: ReactNode }) {
  return (
    <Card withBorder padding="lg" data-testid={testId}>
      <Title order={4} mb="md">
        {title}
      </Title>
      {isEmpty ? (
        <Text size="sm" c="dimmed" data-testid={`${testId}-empty`}>
          Not reported yet: the agent sends this after it connects.
        </Text>
      ) : (
        children
      )}
    </Card>
  );
}
