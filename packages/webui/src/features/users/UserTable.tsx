// The users table: who, which role and sites, how they prove it is them, when they last signed in,
// the flags that block sign-in, and a menu of admin actions per user.
import type { User } from '@borealis/protocol';
import { ActionIcon, Badge, Group, Menu, Table, Text, Tooltip } from '@mantine/core';
import {
  IconBuildingCommunity,
  IconDots,
  IconKey,
  IconLogout,
  IconShieldCog,
  IconTrash,
  IconUserCog,
} from '@tabler/icons-react';
import { formatDateTime } from '../../shared/format-date-time';
import { ROLE_COLORS, ROLE_LABELS } from './users-queries';

export type UserAction = 'role' | 'sites' | 'password' | 'mfa' | 'sessions' | 'delete';

export interface UserTableProps {
  readonly users: readonly User[];
  readonly myId: string;
  readonly onAction: (action: UserAction, user: User) => void;
}

export function UserTable({ users, myId, onAction }: UserTableProps) {
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table verticalSpacing="sm" highlightOnHover data-testid="users-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>User name</Table.Th>
            <Table.Th>Display name</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Sites</Table.Th>
            <Table.Th>Second factor</Table.Th>
            <Table.Th>Last sign-in</Table.Th>
            <Table.Th>Flags</Table.Th>
            <Table.Th w={48} aria-label="Actions" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {users.map((user) => (
            <Table.Tr key={user.id} data-testid="user-row" data-username={user.username}>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Text size="sm" fw={500} data-testid="user-username">
                    {user.username}
                  </Text>
                  {user.id === myId && (
                    <Badge size="xs" variant="light" color="teal" tt="none">
                      You
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>
                <Text size="sm" c={user.display_name ? undefined : 'dimmed'}>
                  {user.display_name || '—'}
                </Text>
              </Table.Td>
              <Table.Td>
                <Badge variant="light" tt="none" color={ROLE_COLORS[user.role]} data-testid="user-role-badge">
                  {ROLE_LABELS[user.role]}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text size="sm" c={user.role === 'admin' || user.site_assignments.length > 0 ? undefined : 'dimmed'}>
                  {user.role === 'admin'
                    ? 'All'
                    : user.site_assignments.length === 0
                      ? 'None'
                      : `${user.site_assignments.length} site${user.site_assignments.length === 1 ? '' : 's'}`}
                </Text>
              </Table.Td>
              <Table.Td>
                <MfaState user={user} />
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Text size="sm" c={user.last_login_at ? undefined : 'dimmed'}>
                  {user.last_login_at ? formatDateTime(user.last_login_at) : 'Never'}
                </Text>
              </Table.Td>
              <Table.Td>
                <Flags user={user} />
              </Table.Td>
              <Table.Td>
                <UserMenu user={user} isMe={user.id === myId} onAction={onAction} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function MfaState({ user }: { readonly user: User }) {
  const { mfa } = user;
  const badges = [
    mfa.totp && { label: 'Authenticator', color: 'teal' },
    mfa.passkeys > 0 && { label: `${mfa.passkeys} passkey${mfa.passkeys === 1 ? '' : 's'}`, color: 'teal' },
    mfa.exempt && { label: 'Exempt', color: 'yellow' },
  ].filter((b): b is { label: string; color: string } => Boolean(b));
  if (badges.length === 0) {
    return (
      <Tooltip label="They set up an authenticator at their next sign-in" withArrow>
        <Text size="sm" c="dimmed" data-testid="user-mfa">
          Not set up
        </Text>
      </Tooltip>
    );
  }
  return (
    <Group gap={4} data-testid="user-mfa">
      {badges.map((b) => (
        <Badge key={b.label} size="sm" variant="light" tt="none" color={b.color}>
          {b.label}
        </Badge>
      ))}
      {mfa.totp && (
        <Text size="xs" c="dimmed">
          {mfa.recovery_codes_left} recovery codes
        </Text>
      )}
    </Group>
  );
}

function Flags({ user }: { readonly user: User }) {
  const flags = [
    user.disabled && { label: 'Disabled', color: 'red', tip: 'This account cannot sign in.' },
    user.auth_reset_required && {
      label: 'Reset required',
      color: 'orange',
      tip: 'The password was lost in an Aegis force reset: set a new one with "Reset password".',
    },
    user.password_change_required && {
      label: 'Must change password',
      color: 'yellow',
      tip: 'They choose a new password at their next sign-in.',
    },
    user.auth_source === 'directory' && { label: 'Directory', color: 'gray', tip: 'Signs in through a directory service.' },
  ].filter((f): f is { label: string; color: string; tip: string } => Boolean(f));
  if (flags.length === 0) return <Text size="sm" c="dimmed">—</Text>;
  return (
    <Group gap={4} data-testid="user-flags">
      {flags.map((f) => (
        <Tooltip key={f.label} label={f.tip} withArrow multiline maw={260}>
          <Badge size="sm" variant="light" tt="none" color={f.color}>
            {f.label}
          </Badge>
        </Tooltip>
      ))}
    </Group>
  );
}

interface UserMenuProps {
  readonly user: User;
  readonly isMe: boolean;
  readonly onAction: UserTableProps['onAction'];
}

function UserMenu({ user, isMe, onAction }: UserMenuProps) {
  const isLocal = user.auth_source === 'local';
  return (
    <Menu position="bottom-end" withinPortal shadow="md" width={240}>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${user.username}`} data-testid="user-actions">
          <IconDots size={18} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item leftSection={<IconUserCog size={16} />} onClick={() => onAction('role', user)} data-testid="user-action-role">
          Change role
        </Menu.Item>
        <Menu.Item
          leftSection={<IconBuildingCommunity size={16} />}
          onClick={() => onAction('sites', user)}
          data-testid="user-action-sites"
        >
          Site assignments
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item
          leftSection={<IconKey size={16} />}
          onClick={() => onAction('password', user)}
          disabled={!isLocal}
          data-testid="user-action-password"
        >
          Reset password
        </Menu.Item>
        <Menu.Item leftSection={<IconShieldCog size={16} />} onClick={() => onAction('mfa', user)} data-testid="user-action-mfa">
          Second factor
        </Menu.Item>
        <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => onAction('sessions', user)} data-testid="user-action-sessions">
          Sign out everywhere
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item
          color="red"
          leftSection={<IconTrash size={16} />}
          onClick={() => onAction('delete', user)}
          disabled={isMe}
          data-testid="user-action-delete"
        >
          {isMe ? 'Delete (not your own account)' : 'Delete'}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
