// Change a user's role. It takes effect at once and ends their sessions; demoting the last admin
// is refused with 409 last_admin.
import type { User } from '@borealis/protocol';
import { Alert, Button, Group, Modal, Radio, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useRetained } from '../../shared/use-retained';
import { useCurrentUser } from '../auth/current-user';
import { useStepUp } from '../auth/step-up';
import type { UserDialogProps } from './user-dialog';
import { UserActionError } from './UserActionError';
import { changeRole } from './users-api';
import { type Role, ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES, toRole, USERS_KEY } from './users-queries';

export function ChangeRoleDialog({ user, onClose, onDone }: UserDialogProps) {
  const { shown, onExited } = useRetained(user);
  return (
    <Modal opened={user !== null} onClose={onClose} onExitTransitionEnd={onExited} title="Change role" centered data-testid="user-role-dialog">
      {shown && <ChangeRoleForm key={shown.id} user={shown} onClose={onClose} onDone={onDone} />}
    </Modal>
  );
}

function ChangeRoleForm({ user, onClose, onDone }: { readonly user: User } & Omit<UserDialogProps, 'user'>) {
  const me = useCurrentUser();
  const queryClient = useQueryClient();
  const stepUp = useStepUp();
  const [role, setRole] = useState<Role>(user.role);
  const change = useMutation({
    mutationFn: (next: Role) => stepUp(() => changeRole(user.username, next)),
    onSuccess: (changed) => {
      void queryClient.invalidateQueries({ queryKey: USERS_KEY });
      onDone(`${changed.username} is now ${ROLE_LABELS[changed.role].toLowerCase()}; their sessions were ended.`);
    },
  });
  const isMe = user.id === me.id;

  return (
    <Stack gap="md">
      <Text size="sm">
        Role of <b>{user.username}</b>:
      </Text>
      <Radio.Group
        value={role}
        onChange={(value) => {
          const chosen = toRole(value);
          if (chosen) setRole(chosen);
          change.reset();
        }}
        name="role"
      >
        <Stack gap="sm">
          {ROLES.map((r) => (
            <Radio key={r} value={r} label={ROLE_LABELS[r]} description={ROLE_DESCRIPTIONS[r]} data-testid={`user-role-${r}`} />
          ))}
        </Stack>
      </Radio.Group>
      {isMe ? (
        <Alert color="orange" variant="light" icon={<IconAlertTriangle />}>
          This is your own account: changing its role signs you out at once.
        </Alert>
      ) : (
        <Text size="sm" c="dimmed">
          The change applies at once and ends their sessions, so they sign in again.
        </Text>
      )}
      <UserActionError error={change.error} />
      <Group justify="flex-end" gap="sm">
        <Button variant="default" onClick={onClose} disabled={change.isPending}>
          Cancel
        </Button>
        <Button
          onClick={() => change.mutate(role)}
          loading={change.isPending}
          disabled={role === user.role}
          data-testid="user-role-submit"
        >
          Change role
        </Button>
      </Group>
    </Stack>
  );
}
