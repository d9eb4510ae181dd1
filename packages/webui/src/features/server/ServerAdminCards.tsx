// Admin-only cards on the Server page: services and engine nodes, the TLS certificate, Aegis,
// operators online, devices, site workers and work items. Hidden for roles the API refuses.
import { Badge, Button, Card, Group, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { isApiError } from '../../shared/api-client';
import { useServerOverview, useServerWorkers, useWorkItems } from './use-server-admin';

export function ServerAdminCards() {
  const overview = useServerOverview();
  if (overview.isError) return isApiError(overview.error, 'forbidden') ? null : <Text c="red">{overview.error.message}</Text>;
  if (!overview.data) return null;
  const o = overview.data;
  return (
    <Stack gap="lg" data-testid="server-admin">
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Card withBorder padding="lg" data-testid="services-card">
          <Title order={4} mb="sm">Services and nodes</Title>
          <Text size="sm" c="dimmed">{o.host.hostname} · {o.host.platform} · Node {o.host.node_version} · {o.engine.database}</Text>
          <Group gap="xs" my="sm">
            {o.services.map((s) => (
              <Badge key={s.service} variant="light" tt="none">{s.service}</Badge>
            ))}
          </Group>
          <Table striped>
            <Table.Thead><Table.Tr><Table.Th>Role</Table.Th><Table.Th>Host / PID</Table.Th><Table.Th>Version</Table.Th><Table.Th>Last seen</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {o.nodes.map((n) => (
                <Table.Tr key={n.node_id}>
                  <Table.Td><Badge color={n.alive ? 'green' : 'gray'} tt="none">{n.role}</Badge></Table.Td>
                  <Table.Td>{n.host} / {n.pid}</Table.Td>
                  <Table.Td>{n.version}</Table.Td>
                  <Table.Td>{new Date(n.last_seen_at).toLocaleString()}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
        <Card withBorder padding="lg" data-testid="certificate-card">
          <Title order={4} mb="sm">TLS certificate</Title>
          {o.certificate ? (
            <Stack gap={4}>
              <Text size="sm">Subject: {o.certificate.subject}</Text>
              <Text size="sm">Issuer: {o.certificate.issuer} {o.certificate.local_ca && <Badge size="xs" ml="xs">local CA</Badge>}</Text>
              <Text size="sm">Expires {new Date(o.certificate.valid_to).toLocaleDateString()} ({o.certificate.days_left} days)</Text>
              <Text size="xs" c="dimmed" style={{ wordBreak: 'break-all' }}>SHA-256 {o.certificate.fingerprint_sha256}</Text>
            </Stack>
          ) : (
            <Text size="sm" c="dimmed">Plain HTTP (TLS terminated elsewhere or off).</Text>
          )}
        </Card>
        <Card withBorder padding="lg" data-testid="aegis-card">
          <Title order={4} mb="sm">Aegis</Title>
          <Group gap="xs">
            <Badge color={o.aegis.locked ? 'red' : 'green'}>{o.aegis.locked ? 'locked' : 'unlocked'}</Badge>
            {o.aegis.rotation && <Badge variant="outline">rotation {o.aegis.rotation.state}</Badge>}
          </Group>
          <Text size="sm" mt="xs">Protected values: {Object.values(o.aegis.protected_counts).reduce((a, b) => a + b, 0)}</Text>
        </Card>
        <Card withBorder padding="lg" data-testid="presence-card">
          <Title order={4} mb="sm">Who is online</Title>
          <Text size="sm">Devices online: {o.devices.online} / {o.devices.total}</Text>
          <Text size="sm" mt="xs">Operators active in the last {o.operators_online.window_seconds / 60} min: {o.operators_online.count}</Text>
          <Group gap="xs" mt="xs">
            {o.operators_online.users.map((u) => (
              <Badge key={u.user_id} variant="light" tt="none">{u.username}</Badge>
            ))}
          </Group>
        </Card>
      </SimpleGrid>
      <WorkersCard />
    </Stack>
  );
}

function WorkersCard() {
  const workers = useServerWorkers();
  const [status, setStatus] = useState<string | null>(null);
  const [siteId, setSiteId] = useState<string | null>(null);
  const [cursors, setCursors] = useState<string[]>([]);
  const items = useWorkItems({ status, siteId, cursor: cursors.at(-1) ?? null });
  const reset = () => setCursors([]);
  return (
    <Card withBorder padding="lg" data-testid="workers-card">
      <Title order={4} mb="sm">Site workers and work items</Title>
      <Table striped mb="md">
        <Table.Thead><Table.Tr><Table.Th>Worker</Table.Th><Table.Th>Kind</Table.Th><Table.Th>Site</Table.Th><Table.Th>Status</Table.Th><Table.Th>Lanes</Table.Th><Table.Th>Heartbeat</Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody>
          {(workers.data?.workers ?? []).map((w) => (
            <Table.Tr key={w.worker_guid}>
              <Table.Td>{w.name}</Table.Td><Table.Td>{w.kind}</Table.Td><Table.Td>{w.site_id ?? '—'}</Table.Td>
              <Table.Td><Text size="sm" fw={600} c={w.status === 'running' || w.status === 'idle' ? 'green' : 'dimmed'}>{w.status}</Text></Table.Td>
              <Table.Td>{w.lanes.join(', ')}</Table.Td><Table.Td>{new Date(w.last_heartbeat_at).toLocaleString()}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group gap="sm" mb="sm">
        <Select aria-label="Status" placeholder="Any status" clearable data={['queued', 'running', 'succeeded', 'failed', 'cancelled']} value={status} onChange={(v) => { setStatus(v); reset(); }} />
        <Select aria-label="Site" placeholder="Any site" clearable data={(workers.data?.sites ?? []).map((s) => ({ value: String(s.site_id), label: `${s.name} (${s.devices} devices)` }))} value={siteId} onChange={(v) => { setSiteId(v); reset(); }} />
      </Group>
      <Table striped data-testid="work-items">
        <Table.Thead><Table.Tr><Table.Th>ID</Table.Th><Table.Th>Kind</Table.Th><Table.Th>Site</Table.Th><Table.Th>Status</Table.Th><Table.Th>Attempts</Table.Th><Table.Th>Lease</Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody>
          {(items.data?.items ?? []).map((w) => (
            <Table.Tr key={w.id}>
              <Table.Td>{w.id}</Table.Td><Table.Td>{w.kind} / {w.lane}</Table.Td><Table.Td>{w.site_id}</Table.Td><Table.Td>{w.status}</Table.Td>
              <Table.Td>{w.attempt_count}/{w.max_attempts}</Table.Td>
              <Table.Td>{w.lease_owner ? (w.lease_expires_at ? `${w.lease_owner} until ${new Date(w.lease_expires_at).toLocaleTimeString()}` : w.lease_owner) : '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group gap="sm" mt="sm">
        <Button size="xs" variant="default" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>Newer</Button>
        <Button size="xs" variant="default" disabled={!items.data?.next_cursor} onClick={() => { const next = items.data?.next_cursor; if (next) setCursors((c) => [...c, next]); }}>Older</Button>
      </Group>
    </Card>
  );
}
