// Delete a user, confirmed by typing their user name. Deleting yourself and the last admin are
// refused by the engine (409); the message says which.
import type { User } from '@borealis/protocol';
import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useRetained } from '../../shared/use-retained';
import { useStepUp } from '../auth/step-up';
import type { UserDialogProps } from './user-dialog';
import { UserActionError } from './UserActionError';
import { deleteUser } from './users-api';
import { USERS_KEY } from './users-queries';
import { TypeToConfirmInput } from '../../shared/TypeToConfirmInput';

export function DeleteUserDialog({ user, onClose, onDone }: UserDialogProps) {
  const { shown, onExited } = useRetained(user);
  return (
    <Modal opened={user !== null} onClose={onClose} onExitTransitionEnd={onExited} title="Delete user" centered data-testid="user-delete-dialog">
      {shown && <DeleteUserForm key={shown.id} user={shown} onClose={onClose} onDone={onDone} />}
    </Modal>
  );
}

function DeleteUserForm({ user, onClose, onDone }: { readonly user: User } & Omit<UserDialogProps, 'user'>) {
  const queryClient = useQueryClient();
  const stepUp = useStepUp();
  const [typed, setTyped] = useState('');
  const remove = useMutation({
    mutationFn: () => stepUp(() => deleteUser(user.username)),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: USERS_KEY });
      onDone(`${user.username} was deleted and signed out everywhere.`);
    },
  });
  const isConfirmed = typed === user.username;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (isConfirmed) remove.mutate();
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Text size="sm">
          <b>{user.username}</b> is deleted with their second factors, sessions and site assignments, and cannot sign
          in again. Their entries in the audit trail stay. This cannot be undone.
        </Text>
        <TypeToConfirmInput
          expected={user.username}
          value={typed}
          onChange={(value) => {
            setTyped(value);
            remove.reset();
          }}
          testId="user-delete-confirm-input"
        />
        <UserActionError error={remove.error} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} disabled={remove.isPending}>
            Cancel
          </Button>
          <Button
            color="red"
            type="submit"
            disabled={!isConfirmed}
            loading={remove.isPending}
            data-testid="user-delete-submit"
          >
            Delete user
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
