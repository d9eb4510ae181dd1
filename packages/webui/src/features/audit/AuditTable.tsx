// Audit events, newest first: when, who, what, on which target, how it ended and how serious it is;
// each row opens to its details as JSON.
import type { AuditEvent, AuditOutcome, AuditSeverity } from '@borealis/protocol';
import { ActionIcon, Badge, Code, Group, Stack, Table, Text } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { Fragment, useState } from 'react';
import { formatDateTime } from '../../shared/format-date-time';

const OUTCOME_COLORS: Readonly<Record<AuditOutcome, string>> = { success: 'teal', failure: 'red', denied: 'orange' };
const SEVERITY_COLORS: Readonly<Record<AuditSeverity, string>> = { info: 'gray', warning: 'yellow', high: 'red' };
const COLUMNS = 9;

export function AuditTable({ events }: { readonly events: readonly AuditEvent[] }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <Table.ScrollContainer minWidth={1100}>
      <Table verticalSpacing="xs" highlightOnHover data-testid="audit-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={36} aria-label="Details" />
            <Table.Th>Time</Table.Th>
            <Table.Th>Actor</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Target</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>Severity</Table.Th>
            <Table.Th>IP</Table.Th>
            <Table.Th>Request</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.map((event) => {
            const isOpen = open.has(event.id);
            return (
              <Fragment key={event.id}>
                <Table.Tr data-testid="audit-row" data-action={event.action} style={{ cursor: 'pointer' }} onClick={() => toggle(event.id)}>
                  <Table.Td>
                    <ActionIcon
                      variant="subtle"
                      color="gray"
                      size="sm"
                      aria-label={isOpen ? 'Hide details' : 'Show details'}
                      aria-expanded={isOpen}
                      data-testid="audit-row-toggle"
                    >
                      {isOpen ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
                    </ActionIcon>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Text size="sm" title={event.at}>
                      {formatDateTime(event.at)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Actor event={event} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace" data-testid="audit-action">
                      {event.action}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Target event={event} />
                  </Table.Td>
                  <Table.Td>
                    <Badge size="sm" variant="light" tt="none" color={OUTCOME_COLORS[event.outcome]} data-testid="audit-outcome">
                      {event.outcome}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Badge
                      size="sm"
                      variant={event.severity === 'info' ? 'outline' : 'light'}
                      tt="none"
                      color={SEVERITY_COLORS[event.severity]}
                      data-testid="audit-severity"
                    >
                      {event.severity}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace" c={event.actor_ip ? undefined : 'dimmed'}>
                      {event.actor_ip ?? '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace" c="dimmed" title={event.request_id ?? undefined}>
                      {shortId(event.request_id)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
                {isOpen && (
                  <Table.Tr data-testid="audit-details">
                    <Table.Td />
                    <Table.Td colSpan={COLUMNS - 1}>
                      <Details event={event} />
                    </Table.Td>
                  </Table.Tr>
                )}
              </Fragment>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Actor({ event }: { readonly event: AuditEvent }) {
  const name = event.actor_name ?? event.actor_id;
  return (
    <Group gap={6} wrap="nowrap">
      <Text size="sm" c={name ? undefined : 'dimmed'} data-testid="audit-actor">
        {name ?? '—'}
      </Text>
      {event.actor_type !== 'user' && (
        <Badge size="xs" variant="default" tt="none">
          {event.actor_type.replace('_', ' ')}
        </Badge>
      )}
    </Group>
  );
}

/** The first group of a UUID-like id (enough to tell rows apart); the whole id is in the details. */
function shortId(id: string | null): string {
  if (id === null) return '—';
  const [head = id] = id.split('-');
  return head.length < id.length ? `${head}…` : id;
}

function Target({ event }: { readonly event: AuditEvent }) {
  if (!event.target_type && !event.target_id) return <Text size="sm" c="dimmed">—</Text>;
  return (
    <Text size="sm" style={{ whiteSpace: 'nowrap' }} title={[event.target_type, event.target_id].filter(Boolean).join(' ')}>
      {event.target_type && <Text span inherit c="dimmed">{event.target_type} </Text>}
      <Text span inherit ff="monospace">
        {shortId(event.target_id)}
      </Text>
    </Text>
  );
}

function Details({ event }: { readonly event: AuditEvent }) {
  const facts = [
    ['Event', event.id],
    ['Actor id', event.actor_id],
    ['Target', [event.target_type, event.target_id].filter(Boolean).join(' ') || null],
    ['Site', event.site_id === null ? null : String(event.site_id)],
    ['Request', event.request_id],
  ].filter((fact): fact is [string, string] => fact[1] !== null);
  return (
    <Stack gap="xs" py={4}>
      <Group gap="lg">
        {facts.map(([label, value]) => (
          <Text key={label} size="xs">
            <Text span inherit c="dimmed">
              {label}:{' '}
            </Text>
            <Text span inherit ff="monospace">
              {value}
            </Text>
          </Text>
        ))}
      </Group>
      <Code block data-testid="audit-details-json" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
        {JSON.stringify(event.details, null, 2)}
      </Code>
    </Stack>
  );
}
