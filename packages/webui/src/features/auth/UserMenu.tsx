// Header menu of the signed-in operator: who they are, Account security, and Sign out.
import { Avatar, Badge, Group, Loader, Menu, Text, UnstyledButton } from '@mantine/core';
import type { Me } from '@borealis/protocol';
import { IconChevronDown, IconLogout, IconShieldLock } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { logout } from './auth-api';
import { forgetOperator } from './auth-queries';
import { nameOf, useCurrentUser } from './current-user';

const ROLE_LABELS: Readonly<Record<Me['role'], string>> = { admin: 'Admin', operator: 'Operator', viewer: 'Viewer' };
const ROLE_COLORS: Readonly<Record<Me['role'], string>> = { admin: 'grape', operator: 'blue', viewer: 'gray' };

export function UserMenu() {
  const me = useCurrentUser();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const signOut = useMutation({
    mutationFn: logout,
    onSuccess: () => {
      forgetOperator(queryClient);
      // The next person to sign in starts at home, not on this operator's last page.
      void navigate('/', { replace: true });
    },
  });
  const name = nameOf(me);

  return (
    <Menu position="bottom-end" width={240} shadow="md" withinPortal>
      <Menu.Target>
        <UnstyledButton
          aria-label={`Account menu for ${name}`}
          data-testid="user-menu"
          px="xs"
          py={4}
          style={{ borderRadius: 'var(--mantine-radius-md)' }}
        >
          <Group gap="xs" wrap="nowrap">
            <Avatar name={name} color="initials" size={30} radius="xl" />
            <Text size="sm" fw={500} visibleFrom="sm" data-testid="user-name" maw={180} truncate>
              {name}
            </Text>
            <Badge size="sm" variant="light" tt="none" color={ROLE_COLORS[me.role]} visibleFrom="sm" data-testid="user-role">
              {ROLE_LABELS[me.role]}
            </Badge>
            <IconChevronDown size={14} stroke={1.6} />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          Signed in as <b>{me.username}</b>
        </Menu.Label>
        <Menu.Item
          component={Link}
          to="/account/security"
          leftSection={<IconShieldLock size={16} stroke={1.6} />}
          data-testid="menu-account-security"
        >
          Account security
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item
          color="red"
          closeMenuOnClick={false}
          leftSection={signOut.isPending ? <Loader size={14} color="red" /> : <IconLogout size={16} stroke={1.6} />}
          onClick={() => signOut.mutate()}
          disabled={signOut.isPending}
          data-testid="sign-out"
        >
          Sign out
        </Menu.Item>
        {signOut.isError && (
          <Text size="xs" c="red" px="sm" pb="xs" data-testid="sign-out-error">
            {signOut.error.message}
          </Text>
        )}
      </Menu.Dropdown>
    </Menu>
  );
}
