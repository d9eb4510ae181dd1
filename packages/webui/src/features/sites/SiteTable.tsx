// The sites table: name, enrolment code, its expiry and uses, the auto-approval window; admins get
// a selection column and a menu of actions per site.
import type { Site } from '@borealis/protocol';
import { ActionIcon, Badge, Checkbox, Menu, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconClockPlay, IconDots, IconPencil, IconRefresh, IconTrash } from '@tabler/icons-react';
import { formatDateTime } from '../../shared/format-date-time';

const SHORT = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
import { EnrollmentCode } from './EnrollmentCode';
import { InstallCommand } from './InstallCommand';

export type SiteAction = 'rename' | 'rotate' | 'auto-approval' | 'delete';

export interface SiteTableProps {
  readonly sites: readonly Site[];
  readonly canManage: boolean;
  readonly selected: ReadonlySet<number>;
  readonly onSelectedChange: (ids: ReadonlySet<number>) => void;
  readonly revealed: ReadonlySet<number>;
  readonly onToggleReveal: (id: number) => void;
  readonly onAction: (action: SiteAction, site: Site) => void;
}

export function SiteTable(props: SiteTableProps) {
  const { sites, canManage, selected, onSelectedChange } = props;
  const isAllSelected = sites.length > 0 && sites.every((s) => selected.has(s.id));
  const isSomeSelected = sites.some((s) => selected.has(s.id));
  const toggle = (id: number) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onSelectedChange(next);
  };

  return (
    <Table.ScrollContainer minWidth={960}>
      <Table verticalSpacing="sm" highlightOnHover data-testid="sites-table">
        <Table.Thead>
          <Table.Tr>
            {canManage && (
              <Table.Th w={40}>
                <Checkbox
                  aria-label="Select every site"
                  checked={isAllSelected}
                  indeterminate={isSomeSelected && !isAllSelected}
                  onChange={() => onSelectedChange(isAllSelected ? new Set() : new Set(sites.map((s) => s.id)))}
                  data-testid="sites-select-all"
                />
              </Table.Th>
            )}
            <Table.Th>Site</Table.Th>
            <Table.Th>Enrolment code</Table.Th>
            <Table.Th style={{ whiteSpace: 'nowrap' }}>Code expires</Table.Th>
            <Table.Th>Uses</Table.Th>
            <Table.Th>Auto-approval</Table.Th>
            <Table.Th ta="right">Devices</Table.Th>
            {canManage && <Table.Th w={48} aria-label="Actions" />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sites.map((site) => (
            <Table.Tr
              key={site.id}
              data-testid="site-row"
              data-site-id={site.id}
              data-site-name={site.name}
              bg={selected.has(site.id) ? 'var(--mantine-primary-color-light)' : undefined}
            >
              {canManage && (
                <Table.Td>
                  <Checkbox
                    aria-label={`Select ${site.name}`}
                    checked={selected.has(site.id)}
                    onChange={() => toggle(site.id)}
                    data-testid="site-select"
                  />
                </Table.Td>
              )}
              <Table.Td miw={160} maw={280}>
                <Stack gap={0}>
                  <Text size="sm" fw={500} data-testid="site-name">
                    {site.name}
                  </Text>
                  {site.description && (
                    <Text size="xs" c="dimmed" lineClamp={2}>
                      {site.description}
                    </Text>
                  )}
                </Stack>
              </Table.Td>
              <Table.Td>
                <EnrollmentCode
                  code={site.enrollment_code}
                  isRevealed={props.revealed.has(site.id)}
                  onToggle={() => props.onToggleReveal(site.id)}
                  missingHint={
                    canManage
                      ? 'An Aegis force reset erased the stored code. It still works for agents; rotate it to get a code you can see.'
                      : 'Not shown: you may not approve enrolments on this site, or an Aegis force reset erased the stored code.'
                  }
                />
                <InstallCommand command={site.install_command} isRevealed={props.revealed.has(site.id)} />
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Expiry site={site} />
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Uses site={site} />
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <AutoApproval site={site} />
              </Table.Td>
              <Table.Td ta="right">
                <Text size="sm">{site.device_count}</Text>
              </Table.Td>
              {canManage && (
                <Table.Td>
                  <SiteMenu site={site} onAction={props.onAction} />
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Expiry({ site }: { readonly site: Site }) {
  if (site.enrollment_code === null && site.enrollment_code_expires_at === null) return <Text size="sm" c="dimmed">—</Text>;
  if (site.enrollment_code_expires_at === null) return <Text size="sm" c="dimmed">Never</Text>;
  const isExpired = Date.parse(site.enrollment_code_expires_at) <= Date.now();
  return (
    <Text size="sm" c={isExpired ? 'red' : undefined} title={formatDateTime(site.enrollment_code_expires_at)}>
      {isExpired ? 'Expired ' : ''}
      {SHORT.format(new Date(site.enrollment_code_expires_at))}
    </Text>
  );
}

function Uses({ site }: { readonly site: Site }) {
  const max = site.enrollment_code_max_uses;
  const isUsedUp = max !== null && site.enrollment_code_uses >= max;
  return (
    <Text size="sm" c={isUsedUp ? 'red' : undefined} data-testid="site-uses">
      {site.enrollment_code_uses} / {max ?? '∞'}
      {isUsedUp ? ' (used up)' : ''}
    </Text>
  );
}

function AutoApproval({ site }: { readonly site: Site }) {
  if (site.auto_approval_active && site.auto_approve_until) {
    return (
      <Tooltip label="Devices enrolling with this site's code are approved without review" withArrow multiline maw={260}>
        <Badge color="orange" variant="light" tt="none" data-testid="site-auto-approval">
          Open until {SHORT.format(new Date(site.auto_approve_until))}
        </Badge>
      </Tooltip>
    );
  }
  return (
    <Text size="sm" c="dimmed" data-testid="site-auto-approval">
      Off
    </Text>
  );
}

function SiteMenu({ site, onAction }: { readonly site: Site; readonly onAction: SiteTableProps['onAction'] }) {
  return (
    <Menu position="bottom-end" withinPortal shadow="md" width={230}>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${site.name}`} data-testid="site-actions">
          <IconDots size={18} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item leftSection={<IconPencil size={16} />} onClick={() => onAction('rename', site)} data-testid="site-rename">
          Rename
        </Menu.Item>
        <Menu.Item leftSection={<IconRefresh size={16} />} onClick={() => onAction('rotate', site)} data-testid="site-rotate">
          Rotate enrolment code
        </Menu.Item>
        <Menu.Item
          leftSection={<IconClockPlay size={16} />}
          onClick={() => onAction('auto-approval', site)}
          data-testid="site-auto-approval-edit"
        >
          Auto-approval window
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={() => onAction('delete', site)} data-testid="site-delete">
          Delete
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
